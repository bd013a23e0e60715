package capture

import (
	"fmt"
	"io"
	"math/bits"
)

// The pcapng format: a sequence of blocks, each `type, total length, body,
// total length`, grouped in sections that each start with a section header
// block and define their own interfaces.
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html
const (
	blockSHB     = 0x0a0d0d0a
	blockIDB     = 1
	blockOPB     = 2 // obsolete packet block
	blockSPB     = 3
	blockNRB     = 4
	blockISB     = 5
	blockEPB     = 6
	blockJournal = 9
	blockDSB     = 10
	byteOrderBOM = 0x1a2b3c4d

	optEnd      = 0
	optTSResol  = 9
	optTSOffset = 14

	shbMinLen = 28
	idbMinLen = 20
	pkbMinLen = 32 // EPB and OPB: 12 bytes framing, 20 fixed

	// maxInterfaces bounds the interfaces of one section, so that a file
	// of nothing but interface blocks cannot exhaust memory.
	maxInterfaces = 1 << 16
)

// readSectionStart reads the section header block at the current offset.
func (r *Reader) readSectionStart() error {
	off := r.in.offset()
	h, err := r.in.peek(12)
	if err != nil {
		return r.readErr(off, "pcapng section header", err)
	}
	switch {
	case h[8] == 0x1a && h[9] == 0x2b && h[10] == 0x3c && h[11] == 0x4d:
		r.be = true
	case h[8] == 0x4d && h[9] == 0x3c && h[10] == 0x2b && h[11] == 0x1a:
		r.be = false
	default:
		return r.errAt(off+8, fmt.Errorf("%w: the section header's byte-order magic is % x, not 1a2b3c4d in either order, so the section cannot be read; %s (if Wireshark opens the file, rewrite it with editcap -F pcapng IN OUT)", ErrCorrupt, h[8:12], r.readSoFar()))
	}
	total := r.u32(h[4:8])
	if total < shbMinLen || total%4 != 0 || total > maxRecord {
		return r.errAt(off, fmt.Errorf("%w: section header block length %d is impossible (at least %d, a multiple of 4, at most %d); %s", ErrCorrupt, total, shbMinLen, maxRecord, r.readSoFar()))
	}
	b, err := r.in.peek(int(total))
	if err != nil {
		return r.readErr(off, "pcapng section header", err)
	}
	if err := r.checkTrailer(off, b); err != nil {
		return err
	}
	if major, minor := r.u16(b[12:14]), r.u16(b[14:16]); major != 1 {
		return r.errAt(off+12, fmt.Errorf("%w: pcapng section version %d.%d; only 1.x is defined (Wireshark cannot read it either)", ErrFormat, major, minor))
	}
	r.ifaces = r.ifaces[:0]
	r.in.r += int(total)
	return nil
}

// checkTrailer checks that a block's trailing length equals its leading one.
func (r *Reader) checkTrailer(off int64, b []byte) error {
	n := len(b)
	if t := r.u32(b[n-4:]); t != uint32(n) {
		return r.errAt(off, fmt.Errorf("%w: the block here says it is %d bytes long but its trailing length says %d, so the blocks after it cannot be found; %s (keep what precedes it with head -c %d, or repair the file with pcapfix)", ErrCorrupt, n, t, r.readSoFar(), off))
	}
	return nil
}

func (r *Reader) skipPacket(reason int) {
	r.skips[reason]++
	r.stats.Skipped++
}

func (r *Reader) nextPcapng(p *Packet) ([]byte, error) {
	for {
		off := r.in.offset()
		h, err := r.in.peek(8)
		if err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, r.readErr(off, "pcapng block header", err)
		}
		typ, total := r.u32(h[0:4]), r.u32(h[4:8])
		if typ == blockSHB { // the same in both byte orders
			if err := r.readSectionStart(); err != nil {
				return nil, err
			}
			continue
		}
		// A pcap file header: a pcap file joined after this one.
		if typ != blockEPB && (typ>>16 == 0xa1b2 || typ&0xffff == 0xb2a1) {
			if err := r.joined(off); err != errNotJoined {
				return nil, err
			}
		}
		if total < 12 || total%4 != 0 {
			return nil, r.errAt(off, fmt.Errorf("%w: block of type %#x has length %d, which is not a multiple of 4 of at least 12, so the blocks after it cannot be found; %s (keep what precedes it with head -c %d, or repair the file with pcapfix)", ErrCorrupt, typ, total, r.readSoFar(), off))
		}
		switch typ {
		case blockEPB, blockOPB, blockIDB:
			if total > maxRecord {
				if typ == blockIDB {
					return nil, r.errAt(off, fmt.Errorf("%w: interface description block of %d bytes (more than %d): the file is damaged here; %s", ErrCorrupt, total, maxRecord, r.readSoFar()))
				}
				r.skipPacket(skipTooLarge)
				if err := r.skipBlock(off, total); err != nil {
					return nil, err
				}
				continue
			}
			b, err := r.in.peek(int(total))
			if err != nil {
				return nil, r.readErr(off, fmt.Sprintf("pcapng block of %d bytes", total), err)
			}
			if err := r.checkTrailer(off, b); err != nil {
				return nil, err
			}
			r.in.r += int(total)
			if typ == blockIDB {
				if err := r.readIDB(off, b); err != nil {
					return nil, err
				}
				continue
			}
			if data, ok := r.packetBlock(typ, b, p); ok {
				return data, nil
			}
		default:
			if err := r.skipOther(off, typ, total); err != nil {
				return nil, err
			}
		}
	}
}

// skipOther skips a block that holds no packet the reader returns,
// counting simple packet blocks and blocks of unknown types.
func (r *Reader) skipOther(off int64, typ, total uint32) error {
	switch typ {
	case blockSPB:
		r.skipPacket(skipSimplePacket)
	case blockNRB, blockISB, blockJournal, blockDSB:
	default:
		r.stats.UnknownBlocks++
	}
	return r.skipBlock(off, total)
}

// skipBlock skips the block of length total at off without holding it in
// memory, and checks its trailing length.
func (r *Reader) skipBlock(off int64, total uint32) error {
	if err := r.in.skip(int64(total) - 4); err != nil {
		return r.readErr(off, fmt.Sprintf("pcapng block of %d bytes", total), err)
	}
	t, err := r.in.peekWait(4)
	if err != nil {
		return r.readErr(off, fmt.Sprintf("pcapng block of %d bytes", total), err)
	}
	if n := r.u32(t); n != total {
		return r.errAt(off, fmt.Errorf("%w: the block here says it is %d bytes long but its trailing length says %d, so the blocks after it cannot be found; %s (keep what precedes it with head -c %d, or repair the file with pcapfix)", ErrCorrupt, total, n, r.readSoFar(), off))
	}
	r.in.r += 4
	return nil
}

// packetBlock decodes the framing of an enhanced or obsolete packet block
// b (whole, with its trailer). ok is false when the packet is skipped.
func (r *Reader) packetBlock(typ uint32, b []byte, p *Packet) (data []byte, ok bool) {
	if len(b) < pkbMinLen {
		r.skipPacket(skipBlockShort)
		return nil, false
	}
	var id uint32
	if typ == blockEPB {
		id = r.u32(b[8:12])
	} else {
		id = uint32(r.u16(b[8:10]))
	}
	caplen, wirelen := r.u32(b[20:24]), r.u32(b[24:28])
	if uint64(caplen) > uint64(len(b)-pkbMinLen) {
		r.skipPacket(skipBlockShort)
		return nil, false
	}
	if id >= uint32(len(r.ifaces)) {
		r.skipPacket(skipNoInterface)
		return nil, false
	}
	f := &r.ifaces[id]
	if f.bad {
		r.skipPacket(skipBadInterface)
		return nil, false
	}
	if wirelen > f.maxWire {
		r.skipPacket(skipBadLength)
		return nil, false
	}
	ts := uint64(r.u32(b[12:16]))<<32 | uint64(r.u32(b[16:20]))
	*p = Packet{Timestamp: f.ns(ts), WireLen: wirelen, CaptureLen: caplen, Interface: id, LinkType: f.link}
	return b[28 : 28+caplen], true
}

// readIDB adds the interface that the interface description block b
// (whole, with its trailer) at off defines.
func (r *Reader) readIDB(off int64, b []byte) error {
	if len(b) < idbMinLen {
		return r.errAt(off, fmt.Errorf("%w: interface description block of %d bytes is shorter than the %d its fields need", ErrCorrupt, len(b), idbMinLen))
	}
	if len(r.ifaces) >= maxInterfaces {
		return r.errAt(off, fmt.Errorf("%w: more than %d interfaces in one section; the file is damaged here", ErrCorrupt, maxInterfaces))
	}
	f := iface{link: LinkType(r.u16(b[8:10])), units: 1e6, maxWire: maxWireLen(r.u32(b[12:16]))}
	opts := b[16 : len(b)-4]
	for len(opts) >= 4 {
		code, n := r.u16(opts[0:2]), int(r.u16(opts[2:4]))
		if code == optEnd || 4+n > len(opts) {
			break
		}
		val := opts[4 : 4+n]
		switch {
		case code == optTSResol && n >= 1:
			v := val[0]
			if v&0x80 != 0 {
				if e := v & 0x7f; e <= 63 {
					f.units = 1 << e
				} else {
					f.bad = true
				}
			} else if v <= 19 {
				f.units = 1
				for range v {
					f.units *= 10
				}
			} else {
				f.bad = true
			}
		case code == optTSOffset && n >= 8:
			// Seconds, signed; beyond ±285 years it is garbage.
			sec := int64(r.u64(val[:8]))
			if sec > 9e9 || sec < -9e9 {
				f.bad = true
			} else {
				f.offset = sec * 1e9
			}
		}
		adv := 4 + (n+3)&^3
		if adv > len(opts) {
			break
		}
		opts = opts[adv:]
	}
	if f.units <= 1e9 && 1e9%f.units == 0 {
		f.mult = 1e9 / f.units
	}
	r.ifaces = append(r.ifaces, f)
	r.addLinkType(f.link)
	return nil
}

// ns converts a timestamp in the interface's units to Unix nanoseconds.
func (f *iface) ns(ts uint64) int64 {
	if f.mult != 0 {
		return int64(ts*f.mult) + f.offset
	}
	sec, rem := ts/f.units, ts%f.units
	// rem < units, so rem*1e9/units fits and Div64 cannot overflow.
	hi, lo := bits.Mul64(rem, 1e9)
	frac, _ := bits.Div64(hi, lo, f.units)
	return int64(sec)*1e9 + int64(frac) + f.offset
}
