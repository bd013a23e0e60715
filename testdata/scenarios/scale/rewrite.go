package main

import (
	"encoding/binary"
	"errors"
)

// mapper says what a copy's addresses become. Both methods must be cheap:
// they run for every address of every emitted frame.
type mapper interface {
	// addr maps an IPv4 address (big-endian uint32).
	addr(a uint32) uint32
	// mac rewrites a 6-byte MAC address in place.
	mac(m []byte)
}

// errIPv6 is returned for frames carrying IPv6: only IPv4 addresses are
// mapped, so an IPv6 frame would be shared by every copy.
var errIPv6 = errors.New("the frame carries IPv6, and only IPv4 addresses are mapped into the copies' subnets")

// Ethernet types the rewriter understands.
const (
	etherIPv4 = 0x0800
	etherARP  = 0x0806
	etherIPv6 = 0x86dd
)

// rewriteFrame maps the addresses of an Ethernet frame in place: its MAC
// addresses, the IPv4 header (and the header inside an ICMP error), the
// addresses in ARP, and the IPv4 addresses of DNS A records over UDP. The
// IPv4 header checksum is recomputed; TCP, UDP and ICMP checksums are
// updated incrementally, so a checksum that was right stays right and one
// that was not (checksum offload) stays as wrong as it was. Lengths never
// change. A frame it cannot parse far enough is left as far as it got.
func rewriteFrame(f []byte, m mapper) error {
	if len(f) < 14 {
		return nil
	}
	m.mac(f[0:6])
	m.mac(f[6:12])
	off := 12
	et := be16(f[off:])
	for (et == 0x8100 || et == 0x88a8 || et == 0x9100) && len(f) >= off+6 {
		off += 4
		et = be16(f[off:])
	}
	off += 2
	switch et {
	case etherIPv4:
		rewriteIPv4(f[off:], m, false)
	case etherARP:
		rewriteARP(f[off:], m)
	case etherIPv6:
		return errIPv6
	}
	return nil
}

// rewriteIPv4 maps the addresses of the IPv4 datagram p (which may be cut
// short). inner is true for the datagram quoted inside an ICMP error,
// whose own ICMP payload is not followed again.
func rewriteIPv4(p []byte, m mapper, inner bool) {
	if len(p) < 20 || p[0]>>4 != 4 {
		return
	}
	ihl := int(p[0]&0x0f) * 4
	if ihl < 20 || len(p) < ihl {
		return
	}
	var old [8]byte
	copy(old[:], p[12:20])
	be32put(p[12:], m.addr(be32(p[12:])))
	be32put(p[16:], m.addr(be32(p[16:])))
	be16put(p[10:], 0)
	be16put(p[10:], checksum(p[:ihl]))
	if be16(p[6:])&0x1fff != 0 {
		return // a later fragment: no transport header
	}
	end := len(p)
	if total := int(be16(p[2:])); total >= ihl && total < end {
		end = total // Ethernet padding is not part of the datagram
	}
	seg := p[ihl:end]
	// The pseudo-header's addresses are covered by TCP and UDP checksums.
	before, after := sum(0, old[:]), sum(0, p[12:20])
	switch p[9] {
	case 6:
		if len(seg) >= 18 {
			update(seg[16:18], before, after, false)
		}
	case 17:
		if len(seg) < 8 {
			return
		}
		if be16(seg[0:]) == 53 || be16(seg[2:]) == 53 {
			before = sum(before, seg[8:])
			rewriteDNS(seg[8:], m)
			after = sum(after, seg[8:])
		}
		if be16(seg[6:]) != 0 { // 0: the sender computed no checksum
			update(seg[6:8], before, after, true)
		}
	case 1:
		if !inner && len(seg) >= 8 && isICMPError(seg[0]) {
			b := sum(0, seg[8:])
			rewriteIPv4(seg[8:], m, true)
			update(seg[2:4], b, sum(0, seg[8:]), false)
		}
	}
}

// isICMPError reports the ICMP types that quote the datagram they are
// about: destination unreachable, source quench, redirect, time exceeded,
// parameter problem.
func isICMPError(typ byte) bool {
	return typ == 3 || typ == 4 || typ == 5 || typ == 11 || typ == 12
}

// rewriteARP maps the hardware and protocol addresses of an Ethernet/IPv4
// ARP message.
func rewriteARP(p []byte, m mapper) {
	if len(p) < 28 || be16(p[0:]) != 1 || be16(p[2:]) != etherIPv4 || p[4] != 6 || p[5] != 4 {
		return
	}
	m.mac(p[8:14])
	be32put(p[14:], m.addr(be32(p[14:])))
	m.mac(p[18:24])
	be32put(p[24:], m.addr(be32(p[24:])))
}

// rewriteDNS maps the addresses of the A records (answer, authority and
// additional sections) of a DNS message that may be cut short. Names are
// left alone: renaming them would change lengths.
func rewriteDNS(msg []byte, m mapper) {
	if len(msg) < 12 {
		return
	}
	qd := int(be16(msg[4:]))
	rr := int(be16(msg[6:])) + int(be16(msg[8:])) + int(be16(msg[10:]))
	off := 12
	for range qd {
		if off = skipName(msg, off); off < 0 || off+4 > len(msg) {
			return
		}
		off += 4
	}
	for range rr {
		if off = skipName(msg, off); off < 0 || off+10 > len(msg) {
			return
		}
		typ, class, n := be16(msg[off:]), be16(msg[off+2:]), int(be16(msg[off+8:]))
		off += 10
		if off+n > len(msg) {
			return
		}
		if typ == 1 && class&0x7fff == 1 && n == 4 {
			be32put(msg[off:], m.addr(be32(msg[off:])))
		}
		off += n
	}
}

// skipName returns the offset after the (possibly compressed) name at off,
// or -1 when the name runs off the message or is malformed.
func skipName(msg []byte, off int) int {
	for off < len(msg) {
		switch l := int(msg[off]); {
		case l == 0:
			return off + 1
		case l&0xc0 == 0xc0:
			if off+2 > len(msg) {
				return -1
			}
			return off + 2
		case l&0xc0 != 0:
			return -1
		default:
			off += 1 + l
		}
	}
	return -1
}

// sum adds b to the one's-complement accumulator s as big-endian 16-bit
// words, b starting at an even offset of the checksummed data (an odd
// length is padded with a zero byte, as at the end of the data).
func sum(s uint64, b []byte) uint64 {
	for len(b) >= 2 {
		s += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

// fold reduces an accumulator to 16 bits with end-around carries.
func fold(s uint64) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// checksum is the Internet checksum (RFC 1071) of the concatenation of
// parts, each but the last of even length: the rule the incremental
// update is tested against.
func checksum(parts ...[]byte) uint16 {
	var s uint64
	for _, p := range parts {
		s = sum(s, p)
	}
	return ^fold(s)
}

// update changes the checksum stored in field after data whose sum was
// before became data whose sum is after (RFC 1624, equation 3). udp maps a
// result of 0 to 0xffff, as 0 in a UDP header means "no checksum".
func update(field []byte, before, after uint64, udp bool) {
	b, a := fold(before), fold(after)
	if b == a {
		return // nothing changed; leave even a non-canonical value alone
	}
	hc := be16(field)
	c := ^fold(uint64(^hc) + uint64(^b) + uint64(a))
	if udp && c == 0 {
		c = 0xffff
	}
	be16put(field, c)
}

func be16(b []byte) uint16       { return binary.BigEndian.Uint16(b) }
func be32(b []byte) uint32       { return binary.BigEndian.Uint32(b) }
func be16put(b []byte, v uint16) { binary.BigEndian.PutUint16(b, v) }
func be32put(b []byte, v uint32) { binary.BigEndian.PutUint32(b, v) }
