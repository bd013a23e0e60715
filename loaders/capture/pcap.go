package capture

import (
	"encoding/binary"
	"fmt"
	"io"
)

// The pcap format: a 24-byte file header, then records of a 16-byte header
// and the captured bytes. https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
const (
	pcapHeaderLen = 24
	pcapRecordLen = 16
	// The "modified" pcap of Alexey Kuznetzov's patches (magic a1b2cd34)
	// adds interface index, protocol and packet type to every record.
	pcapModifiedExtra = 8
)

func (r *Reader) u16(b []byte) uint16 {
	if r.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *Reader) u32(b []byte) uint32 {
	if r.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *Reader) u64(b []byte) uint64 {
	if r.be {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// readPcapHeader reads the pcap file header at off: the capture's start,
// or a file joined after another one.
func (r *Reader) readPcapHeader(off int64) error {
	h, err := r.in.peek(pcapHeaderLen)
	if err != nil {
		return r.readErr(off, "pcap file header", err)
	}
	r.nano, r.extra = false, 0
	switch r.u32(h[0:4]) {
	case 0xa1b23c4d:
		r.nano = true
	case 0xa1b2cd34:
		r.extra = pcapModifiedExtra
	}
	major, minor := r.u16(h[4:6]), r.u16(h[6:8])
	if major != 2 {
		return r.errAt(off+4, fmt.Errorf("%w: pcap version %d.%d; only version 2.x exists in practice, so the header is damaged (convert with editcap -F pcapng IN OUT if Wireshark opens the file)", ErrFormat, major, minor))
	}
	// The snap length in the header is not trusted, as tcpdump does not
	// trust it either (writers exist that exceed it): records up to
	// libpcap's maximum are read, and up to the declared length when that
	// is larger.
	snaplen := r.u32(h[16:20])
	r.capLimit = maxPacket
	if snaplen > maxPacket && snaplen <= maxRecord-pcapRecordLen-pcapModifiedExtra {
		r.capLimit = snaplen
	}
	r.maxWire = maxWireLen(snaplen)
	r.fracLimit = 1e6
	if r.nano {
		r.fracLimit = 1e9
	}
	// The low 16 bits are the link type; the high bits carry FCS
	// information that does not matter here.
	r.link = LinkType(r.u32(h[20:24]) & 0xffff)
	r.addLinkType(r.link)
	r.in.r += pcapHeaderLen
	return nil
}

// maxWireLen is the longest original length a record of a capture with
// this snap length can plausibly have: 256 KiB (libpcap's largest snap
// length, four times an IP datagram's limit) or twice the snap length,
// whichever is more. A snap length of 0 or beyond what the reader accepts
// says nothing and counts as 256 KiB. Longer is a damaged record header.
func maxWireLen(snaplen uint32) uint32 {
	if snaplen == 0 || snaplen > maxRecord {
		snaplen = maxPacket
	}
	return max(maxPacket, 2*snaplen)
}

func (r *Reader) nextPcap(p *Packet) ([]byte, error) {
	for {
		off := r.in.offset()
		hlen := pcapRecordLen + r.extra
		h, err := r.in.peek(hlen)
		if err != nil {
			if err == io.EOF {
				return nil, err
			}
			return nil, r.readErr(off, "pcap record header", err)
		}
		sec, frac := r.u32(h[0:4]), r.u32(h[4:8])
		caplen, wirelen := r.u32(h[8:12]), r.u32(h[12:16])
		// A file header where a record header belongs: files joined with
		// cat. The magic numbers, in either byte order, start with a1b2 or
		// end with b2a1; pcapng's section header is 0a0d0d0a.
		if sec>>16 == 0xa1b2 || sec&0xffff == 0xb2a1 || sec == blockSHB {
			if err := r.joined(off); err != errNotJoined {
				return nil, err
			}
		}
		if caplen > r.capLimit {
			return nil, r.errAt(off, fmt.Errorf("%w: the record header says %d captured bytes, more than the %d a capture tool writes, so the records from here on cannot be found; %s (keep what precedes it with head -c %d, or repair the file with pcapfix)", ErrCorrupt, caplen, r.capLimit, r.readSoFar(), off))
		}
		rec, err := r.in.peek(hlen + int(caplen))
		if err != nil {
			return nil, r.readErr(off, fmt.Sprintf("pcap record of %d bytes", caplen), err)
		}
		r.in.r += hlen + int(caplen)
		if frac >= r.fracLimit || wirelen > r.maxWire {
			r.skipBadPcap(wirelen)
			continue
		}
		ts := int64(sec) * 1e9
		if r.nano {
			ts += int64(frac)
		} else {
			ts += int64(frac) * 1e3
		}
		*p = Packet{Timestamp: ts, WireLen: wirelen, CaptureLen: caplen, LinkType: r.link}
		return rec[hlen:], nil
	}
}

// skipBadPcap counts a pcap record whose fields cannot be right.
func (r *Reader) skipBadPcap(wirelen uint32) {
	switch {
	case wirelen > r.maxWire:
		r.skipPacket(skipBadLength)
	case r.nano:
		r.skipPacket(skipBadNano)
	default:
		r.skipPacket(skipBadMicro)
	}
}
