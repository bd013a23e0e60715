package capture

import (
	"bytes"
	"slices"
	"testing"
)

// TestDecodeEncapsulations: each encapsulation is followed to the IP
// header inside (before, all of these frames had no addresses and no
// status: silently not IP), and what cannot be followed is counted by
// reason. Header layouts: PPPoE RFC 2516, MPLS RFC 3032 (and RFC 4448's
// control word), 802.1ah I-TAG, VN-Tag, 802.1AE SecTAG, NSH RFC 8300, PPP
// RFC 1661/1662, Cisco HDLC.
func TestDecodeEncapsulations(t *testing.T) {
	runDecodeCases(t, encapCases())
}

// encapCases are the frames of TestDecodeEncapsulations, which the fuzz
// corpus holds too.
func encapCases() []decodeCase {
	macs := ethIPv4[:12]
	v4 := frame(ip4(6, 0, 40), tcpSyn)
	v6 := frame(ip6(6, 20), tcpSyn)
	eth4 := frame(ethIPv4, v4)
	ether := func(typ uint16, parts ...[]byte) []byte { return frame(macs, be16b(typ), frame(parts...)) }
	label := func(bottom bool) []byte {
		if bottom {
			return []byte{0x00, 0x3e, 0x81, 64} // label 1000, bottom of stack
		}
		return []byte{0x00, 0x01, 0x00, 64} // label 16
	}
	pppoe := func(proto []byte, payload []byte) []byte {
		return ether(etherPPPoE, []byte{0x11, 0, 0x12, 0x34}, be16b(uint16(len(proto)+len(payload))), proto, payload)
	}
	sectag := []byte{0x00, 0, 0, 0, 0, 1}                            // TCI 0: integrity only, no SCI
	sectagSCI := []byte{0x20, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1, 0, 1} // SC bit: 8 bytes of SCI
	icv := bytes.Repeat([]byte{0xc1}, 16)
	nsh := func(next byte, words byte) []byte {
		h := []byte{0x0f, 0xc0 | words, 0x02, next, 0, 0, 42, 255}
		return append(h, make([]byte, int(words)*4-8)...)
	}
	in := func(e encap) status { return crossed(e) }
	return []decodeCase{
		{"pppoe ipv4", LinkEthernet, pppoe([]byte{0x00, 0x21}, v4), 0, with(tcp4, in(encapPPPoE))},
		{"pppoe ipv6", LinkEthernet, pppoe([]byte{0x00, 0x57}, v6), 0, with(tcp6, in(encapPPPoE))},
		{"pppoe compressed protocol", LinkEthernet, pppoe([]byte{0x21}, v4), 0, with(tcp4, in(encapPPPoE))},
		{"pppoe lcp", LinkEthernet, pppoe([]byte{0xc0, 0x21}, []byte{9, 1, 0, 8, 0, 0, 0, 0}), 0, want{st: in(encapPPPoE)}},
		{"pppoe compressed tcp/ip", LinkEthernet, pppoe([]byte{0x00, 0x2d}, v4), 0, want{st: in(encapPPPoE) | hidden(hiddenPPP)}},
		{"pppoe mpls", LinkEthernet, pppoe([]byte{0x02, 0x81}, frame(label(true), v4)), 0, with(tcp4, in(encapPPPoE)|in(encapMPLS))},
		{"mpls one label", LinkEthernet, ether(etherMPLS, label(true), v4), 0, with(tcp4, in(encapMPLS))},
		{"mpls two labels v6", LinkEthernet, ether(etherMPLS, label(false), label(true), v6), 0, with(tcp6, in(encapMPLS))},
		{"mpls multicast", LinkEthernet, ether(etherMPLSMulti, label(true), v4), 0, with(tcp4, in(encapMPLS))},
		{"mpls ethernet pseudowire", LinkEthernet, ether(etherMPLS, label(true), []byte{0, 0, 0, 7}, eth4), 0, with(tcp4, in(encapMPLS))},
		{"mpls other payload", LinkEthernet, ether(etherMPLS, label(true), []byte{0x10, 0, 0, 0}, eth4), 0, want{st: in(encapMPLS) | hidden(hiddenMPLS)}},
		{"mpls stack cut", LinkEthernet, ether(etherMPLS, label(false), label(false)), 100, want{st: in(encapMPLS) | statusSnapped}},
		{"mpls stack never ends", LinkEthernet, ether(etherMPLS, label(false), label(false)), 0, want{st: in(encapMPLS) | statusMalformed}},
		{"pbb", LinkEthernet, frame(macs, []byte{0x88, 0xa8, 0, 10}, be16b(etherPBB), []byte{0, 1, 2, 3}, eth4), 0, with(tcp4, in(encapPBB))},
		{"pbb customer vlan", LinkEthernet, ether(etherPBB, []byte{0, 1, 2, 3}, macs, []byte{0x81, 0, 0, 20, 0x08, 0x00}, v4), 0, with(tcp4, in(encapPBB))},
		{"vn-tag", LinkEthernet, ether(etherVNTag, []byte{0x80, 1, 0, 2}, be16b(etherIPv4), v4), 0, with(tcp4, in(encapVNTag))},
		{"macsec integrity only", LinkEthernet, ether(etherMACsec, sectag, be16b(etherIPv4), v4, icv), 0, with(tcp4, in(encapMACsec))},
		{"macsec with sci", LinkEthernet, ether(etherMACsec, sectagSCI, be16b(etherIPv6), v6, icv), 0, with(tcp6, in(encapMACsec))},
		{"macsec encrypted", LinkEthernet, ether(etherMACsec, []byte{0x2c, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1, 0, 1}, bytes.Repeat([]byte{0x5a}, 60), icv), 0, want{st: in(encapMACsec) | hidden(hiddenMACsec)}},
		{"nsh ipv4", LinkEthernet, ether(etherNSH, nsh(1, 2), v4), 0, with(tcp4, in(encapNSH))},
		{"nsh ipv6 with context", LinkEthernet, ether(etherNSH, nsh(2, 6), v6), 0, with(tcp6, in(encapNSH))},
		{"nsh ethernet", LinkEthernet, ether(etherNSH, nsh(3, 2), eth4), 0, with(tcp4, in(encapNSH))},
		{"nsh in nsh", LinkEthernet, ether(etherNSH, nsh(4, 2), nsh(1, 2), v4), 0, with(tcp4, in(encapNSH))},
		{"nsh unknown next protocol", LinkEthernet, ether(etherNSH, nsh(0x7f, 2), v4), 0, want{st: in(encapNSH) | hidden(hiddenNSH)}},
		{"nsh version 1", LinkEthernet, ether(etherNSH, []byte{0x4f, 0xc2, 2, 1, 0, 0, 42, 255}, v4), 0, want{st: in(encapNSH) | statusMalformed}},
		{"vlan vn-tag pbb mpls", LinkEthernet, ether(etherVLAN, []byte{0, 5}, be16b(etherVNTag), []byte{0x80, 1, 0, 2}, be16b(etherPBB), []byte{0, 1, 2, 3}, macs, be16b(etherMPLS), label(true), v4), 0,
			with(tcp4, in(encapVNTag)|in(encapPBB)|in(encapMPLS))},
		{"33 vlan tags", LinkEthernet, frame(macs, bytes.Repeat([]byte{0x81, 0, 0, 5}, 33), be16b(etherIPv4), v4), 0, want{st: statusMalformed}},
		{"ppp", LinkPPP, frame([]byte{0xff, 0x03, 0x00, 0x21}, v4), 0, tcp4},
		{"ppp without address and control", LinkPPP, frame([]byte{0x00, 0x57}, v6), 0, tcp6},
		{"ppp compressed protocol", LinkPPP, frame([]byte{0xff, 0x03, 0x21}, v4), 0, tcp4},
		{"ppp lcp", LinkPPP, []byte{0xff, 0x03, 0xc0, 0x21, 9, 1, 0, 8, 0, 0, 0, 0}, 0, want{}},
		{"ppp in hdlc framing", LinkPPPHDLC, frame([]byte{0xff, 0x03, 0x00, 0x21}, v4), 0, tcp4},
		{"cisco hdlc in link type 50", LinkPPPHDLC, frame([]byte{0x0f, 0x00, 0x86, 0xdd}, v6), 0, tcp6},
		{"cisco hdlc", LinkCHDLC, frame([]byte{0x8f, 0x00, 0x08, 0x00}, v4), 0, tcp4},
		{"ppp runt", LinkPPP, []byte{0xff}, 0, want{st: statusMalformed}},
	}
}

// with returns w with status st added.
func with(w want, st status) want {
	w.st |= st
	return w
}

func be16b(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

// TestDecodeMACsecICV: the ICV of a MACsec frame captured whole is not
// transport payload, even where the IP and UDP lengths do not trim it (0,
// as segmentation offload leaves them).
func TestDecodeMACsecICV(t *testing.T) {
	ip := ip4(17, 0, 0)
	udp := []byte{0x13, 0x88, 0x00, 0x35, 0, 0, 0, 0}
	data := frame(ethIPv4[:12], be16b(etherMACsec), []byte{0, 0, 0, 0, 0, 1}, be16b(etherIPv4), ip, udp, []byte("data"), bytes.Repeat([]byte{0xc1}, 16))
	p := Packet{LinkType: LinkEthernet, CaptureLen: uint32(len(data)), WireLen: uint32(len(data))}
	decode(&p, data)
	if string(p.Payload) != "data" {
		t.Errorf("payload %q, want %q", p.Payload, "data")
	}
}

// TestFixtureEncapsulations: every frame of an encapsulation fixture is
// counted under its encapsulation (testdata/captures/src/gen/encap.go
// wraps all 23 picked frames); only macsec.pcap's 4 encrypted frames
// (every fifth) stay hidden.
func TestFixtureEncapsulations(t *testing.T) {
	tests := []struct {
		file      string
		encaps    []Count
		undecoded []Undecoded
	}{
		{"mpls.pcap", []Count{{"MPLS", 23}}, nil},
		{"pppoe.pcap", []Count{{"PPPoE", 23}}, nil},
		{"pbb.pcap", []Count{{"802.1ah PBB", 23}}, nil},
		{"vntag.pcap", []Count{{"VN-Tag", 23}}, nil},
		{"macsec.pcap", []Count{{"MACsec", 23}}, []Undecoded{{hiddenText[hiddenMACsec][0], hiddenText[hiddenMACsec][1], 4}}},
		{"nsh.pcap", []Count{{"NSH", 23}}, nil},
		{"ppp.pcap", nil, nil},
		{"eth-micro.pcap", nil, nil},
	}
	for _, tt := range tests {
		r, err := Open(fixture(tt.file))
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, r)
		r.Close()
		st := r.Stats()
		if !slices.Equal(st.Encapsulations, tt.encaps) || !slices.Equal(st.Undecoded, tt.undecoded) {
			t.Errorf("%s: encapsulations %v, undecoded %v; want %v, %v", tt.file, st.Encapsulations, st.Undecoded, tt.encaps, tt.undecoded)
		}
	}
}
