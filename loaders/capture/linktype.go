package capture

import "fmt"

// String names the link type in words, as capinfos does, with its number:
// "Ethernet (1)", "PPP (9)", "IEEE 802.11 (105)".
func (l LinkType) String() string {
	if name, ok := linkNames[l]; ok {
		return fmt.Sprintf("%s (%d)", name, uint16(l))
	}
	if l >= 147 && l <= 162 {
		return fmt.Sprintf("user-defined link type %d (a private encapsulation)", uint16(l))
	}
	return fmt.Sprintf("unknown link type %d", uint16(l))
}

// Supported reports whether the decoder finds IP headers in frames of this
// link type.
func (l LinkType) Supported() bool {
	switch l {
	case LinkNull, LinkEthernet, LinkPPP, LinkPPPHDLC, LinkRaw, linkRawBSD12, linkRawBSD14, LinkLoop,
		LinkCHDLC, LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkLinuxSLL2:
		return true
	}
	return false
}

// linkNames are the names of the link types that captures are commonly
// seen with (https://www.tcpdump.org/linktypes.html, in Wireshark's words),
// so that a warning about frames that are not decoded says what they are.
var linkNames = map[LinkType]string{
	LinkNull:      "BSD loopback",
	LinkEthernet:  "Ethernet",
	6:             "IEEE 802.5 Token Ring",
	7:             "ARCNET",
	8:             "SLIP",
	LinkPPP:       "PPP",
	10:            "FDDI",
	LinkPPPHDLC:   "PPP in HDLC-like framing",
	51:            "PPPoE",
	100:           "ATM RFC 1483 LLC/SNAP",
	LinkRaw:       "Raw IP",
	linkRawBSD12:  "Raw IP",
	linkRawBSD14:  "Raw IP",
	LinkCHDLC:     "Cisco HDLC",
	105:           "IEEE 802.11 Wireless LAN",
	107:           "Frame Relay",
	LinkLoop:      "OpenBSD loopback",
	LinkLinuxSLL:  "Linux cooked-mode capture v1",
	119:           "IEEE 802.11 plus Prism header",
	122:           "RFC 2625 IP over Fibre Channel",
	127:           "IEEE 802.11 plus radiotap header",
	138:           "Apple IP over IEEE 1394",
	139:           "SS7 MTP2 with pseudo-header",
	140:           "SS7 MTP2",
	141:           "SS7 MTP3",
	142:           "SS7 SCCP",
	143:           "DOCSIS",
	163:           "IEEE 802.11 plus AVS header",
	166:           "PPP with pppd direction",
	169:           "GPRS LLC",
	177:           "Linux LAPD",
	187:           "Bluetooth H4",
	189:           "USB packets with Linux header",
	192:           "Per-Packet Information",
	195:           "IEEE 802.15.4",
	197:           "Endace ERF",
	201:           "Bluetooth H4 with Linux header",
	204:           "PPP with direction",
	220:           "USB packets with Linux header and padding",
	226:           "Solaris IPNET",
	227:           "SocketCAN",
	LinkIPv4:      "Raw IPv4",
	LinkIPv6:      "Raw IPv6",
	230:           "IEEE 802.15.4 without FCS",
	231:           "D-Bus",
	239:           "Linux netfilter log",
	242:           "IP over InfiniBand",
	243:           "MPEG-2 transport stream",
	249:           "USB packets with USBPcap header",
	251:           "Bluetooth Low Energy link layer",
	253:           "Linux netlink",
	254:           "Bluetooth Linux monitor",
	256:           "Bluetooth Low Energy link layer with radio header",
	258:           "Apple PKTAP",
	LinkLinuxSLL2: "Linux cooked-mode capture v2",
	274:           "IEEE 802.3br mPackets",
}
