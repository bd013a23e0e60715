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

func (r *Reader) readPcapHeader() error {
	h, err := r.in.peek(pcapHeaderLen)
	if err != nil {
		return r.readErr(0, "pcap file header", err)
	}
	switch r.u32(h[0:4]) {
	case 0xa1b23c4d:
		r.nano = true
	case 0xa1b2cd34:
		r.extra = pcapModifiedExtra
	}
	major, minor := r.u16(h[4:6]), r.u16(h[6:8])
	if major != 2 {
		return r.errAt(4, fmt.Errorf("%w: pcap version %d.%d; only version 2.x exists in practice, so the header is damaged (convert with editcap -F pcapng IN OUT if Wireshark opens the file)", ErrFormat, major, minor))
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
	// The low 16 bits are the link type; the high bits carry FCS
	// information that does not matter here.
	r.link = LinkType(r.u32(h[20:24]) & 0xffff)
	r.addLinkType(r.link)
	r.in.r += pcapHeaderLen
	return nil
}

func (r *Reader) nextPcap(p *Packet) ([]byte, error) {
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
	if caplen > r.capLimit {
		return nil, r.errAt(off, fmt.Errorf("%w: the record header says %d captured bytes, more than the %d a capture tool writes, so the records from here on cannot be found; %s (keep what precedes it with head -c %d, or repair the file with pcapfix)", ErrCorrupt, caplen, r.capLimit, r.readSoFar(), off))
	}
	rec, err := r.in.peek(hlen + int(caplen))
	if err != nil {
		return nil, r.readErr(off, fmt.Sprintf("pcap record of %d bytes", caplen), err)
	}
	r.in.r += hlen + int(caplen)
	ts := int64(sec) * 1e9
	if r.nano {
		ts += int64(frac)
	} else {
		ts += int64(frac) * 1e3
	}
	*p = Packet{Timestamp: ts, WireLen: wirelen, CaptureLen: caplen, LinkType: r.link}
	return rec[hlen:], nil
}
