package capture

import (
	"encoding/binary"
	"errors"
)

// Captures joined end to end (`cat a.pcap b.pcap > c.pcap`) hold a second
// file header where a record belongs. Read as a record it would be garbage
// and end the read as corrupt; recognised, each part is read with its own
// header (byte order, timestamp precision, link type, snap length) and
// the user is told to merge the files properly.

// shbMagic starts a pcapng section header block, in either byte order.
var shbMagic = [4]byte{0x0a, 0x0d, 0x0d, 0x0a}

// pcapMagic tells a pcap file header's magic number (microsecond,
// nanosecond or modified pcap) and its byte order.
func pcapMagic(m [4]byte) (bigEndian, ok bool) {
	switch m {
	case [4]byte{0xd4, 0xc3, 0xb2, 0xa1}, [4]byte{0x4d, 0x3c, 0xb2, 0xa1}, [4]byte{0x34, 0xcd, 0xb2, 0xa1}:
		return false, true
	case [4]byte{0xa1, 0xb2, 0xc3, 0xd4}, [4]byte{0xa1, 0xb2, 0x3c, 0x4d}, [4]byte{0xa1, 0xb2, 0xcd, 0x34}:
		return true, true
	}
	return false, false
}

// errNotJoined: what looked like a file header at a record's place is not
// one, and is read as the record it is.
var errNotJoined = errors.New("no file header here")

// joined checks for a capture file header at off, where a record or block
// was expected. When there is one it reads it and returns errSwitched, so
// that reading goes on in the joined file's format; errNotJoined when
// there is none; an *Error when the header is damaged.
func (r *Reader) joined(off int64) error {
	h, err := r.in.peek(pcapHeaderLen)
	if err != nil {
		return errNotJoined
	}
	if [4]byte(h[0:4]) == shbMagic {
		bom := [4]byte(h[8:12])
		if bom != [4]byte{0x1a, 0x2b, 0x3c, 0x4d} && bom != [4]byte{0x4d, 0x3c, 0x2b, 0x1a} {
			return errNotJoined
		}
		r.noteJoined(off)
		r.format = FormatPcapng
		if err := r.readSectionStart(); err != nil {
			return err
		}
		return errSwitched
	}
	be, ok := pcapMagic([4]byte(h[0:4]))
	var order binary.ByteOrder = binary.LittleEndian
	if be {
		order = binary.BigEndian
	}
	if !ok || order.Uint16(h[4:6]) != 2 {
		return errNotJoined
	}
	r.noteJoined(off)
	r.be = be
	r.format = FormatPcap
	if err := r.readPcapHeader(off); err != nil {
		return err
	}
	return errSwitched
}

func (r *Reader) noteJoined(off int64) {
	if r.stats.Concatenated == 0 {
		r.stats.ConcatenatedAt = off
	}
	r.stats.Concatenated++
}
