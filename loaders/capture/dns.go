package capture

import (
	"encoding/binary"
	"errors"
)

// DNSMessage is the part of a DNS message (RFC 1035) the analysis needs:
// header flags, the questions and the types of the answers. ParseDNS fills
// it and reuses its storage, so parsing a stream of messages into one
// DNSMessage does not allocate once it has grown to size.
type DNSMessage struct {
	ID        uint16
	Response  bool  // QR: a response rather than a query
	Opcode    uint8 // 0 for a standard query
	RCode     uint8 // response code from the header (3 is NXDOMAIN)
	Truncated bool  // TC: the message was truncated by its sender

	// Questions holds up to MaxDNSQuestions questions.
	Questions []DNSQuestion
	// AnswerTypes holds the RR types of up to MaxDNSAnswers answer records.
	AnswerTypes []uint16

	names []byte // storage for the question names
}

// DNSQuestion is one entry of the question section.
type DNSQuestion struct {
	// Name is in lower case, labels joined by dots, without the trailing
	// dot ("" for the root). It aliases the DNSMessage's storage and is
	// valid until the next ParseDNS into the same message.
	Name  []byte
	Type  uint16
	Class uint16

	start, end int // Name's bounds in DNSMessage.names while parsing
}

// Bounds on what ParseDNS keeps from one message; counts in the header are
// 16 bits wide and come from the wire.
const (
	MaxDNSQuestions = 8
	MaxDNSAnswers   = 64
)

// DNS record types that matter to the analysis.
const (
	DNSTypeA         uint16 = 1
	DNSTypeNULL      uint16 = 10
	DNSTypeTXT       uint16 = 16
	DNSTypeAAAA      uint16 = 28
	DNSTypeANY       uint16 = 255
	DNSRCodeNXDomain uint8  = 3 // NXDOMAIN
)

// Errors of ParseDNS.
var (
	ErrDNSShort   = errors.New("dns: message ends inside a field")
	ErrDNSName    = errors.New("dns: malformed name")
	ErrDNSTooLong = errors.New("dns: name longer than 255 bytes")
)

const maxNameLen = 255

// ParseDNS parses the DNS message in payload (a UDP payload, or a TCP
// payload without its 2-byte length prefix) into m, reusing m's storage. On
// error m holds what was parsed before the fault: a message cut by the snap
// length usually still has its questions.
func ParseDNS(payload []byte, m *DNSMessage) error {
	m.Questions = m.Questions[:0]
	m.AnswerTypes = m.AnswerTypes[:0]
	m.names = m.names[:0]
	m.ID, m.Response, m.Opcode, m.RCode, m.Truncated = 0, false, 0, 0, false
	if len(payload) < 12 {
		return ErrDNSShort
	}
	m.ID = binary.BigEndian.Uint16(payload[0:2])
	flags := binary.BigEndian.Uint16(payload[2:4])
	m.Response = flags&0x8000 != 0
	m.Opcode = uint8(flags>>11) & 0x0f
	m.Truncated = flags&0x0200 != 0
	m.RCode = uint8(flags & 0x000f)
	qd := int(binary.BigEndian.Uint16(payload[4:6]))
	an := int(binary.BigEndian.Uint16(payload[6:8]))

	off := 12
	var err error
	for i := 0; i < qd; i++ {
		start := len(m.names)
		keep := i < MaxDNSQuestions
		if keep {
			off, m.names, err = readName(payload, off, m.names)
		} else {
			off, err = skipName(payload, off)
		}
		if err == nil && off+4 > len(payload) {
			err = ErrDNSShort
		}
		if err != nil {
			m.names = m.names[:start]
			break
		}
		if keep {
			m.Questions = append(m.Questions, DNSQuestion{
				Type:  binary.BigEndian.Uint16(payload[off:]),
				Class: binary.BigEndian.Uint16(payload[off+2:]),
				start: start, end: len(m.names),
			})
		}
		off += 4
	}
	// Names are sliced only now: appending may have moved the storage.
	for i := range m.Questions {
		q := &m.Questions[i]
		q.Name = m.names[q.start:q.end:q.end]
	}
	if err != nil {
		return err
	}
	for i := 0; i < an; i++ {
		if off, err = skipName(payload, off); err != nil {
			return err
		}
		if off+10 > len(payload) {
			return ErrDNSShort
		}
		typ := binary.BigEndian.Uint16(payload[off:])
		rdlen := int(binary.BigEndian.Uint16(payload[off+8:]))
		off += 10 + rdlen
		if off > len(payload) {
			return ErrDNSShort
		}
		if len(m.AnswerTypes) < MaxDNSAnswers {
			m.AnswerTypes = append(m.AnswerTypes, typ)
		}
	}
	return nil
}

// readName appends the name at off in msg to dst, following compression
// pointers, and returns the offset after the name where it is written.
func readName(msg []byte, off int, dst []byte) (int, []byte, error) {
	start := len(dst)
	next := -1 // where parsing resumes once a pointer was followed
	total := 0
	for hops := 0; ; {
		if off >= len(msg) {
			return 0, dst, ErrDNSShort
		}
		l := int(msg[off])
		switch l & 0xc0 {
		case 0x00:
			if l == 0 {
				if next < 0 {
					next = off + 1
				}
				return next, dst, nil
			}
			if off+1+l > len(msg) {
				return 0, dst, ErrDNSShort
			}
			if total += l + 1; total > maxNameLen {
				return 0, dst, ErrDNSTooLong
			}
			if len(dst) > start {
				dst = append(dst, '.')
			}
			for _, c := range msg[off+1 : off+1+l] {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				dst = append(dst, c)
			}
			off += 1 + l
		case 0xc0:
			if off+2 > len(msg) {
				return 0, dst, ErrDNSShort
			}
			if next < 0 {
				next = off + 2
			}
			ptr := int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
			// Pointers must point backwards; the hop limit ends cycles
			// that go back through labels.
			if hops++; ptr >= off || hops > maxNameLen/2 {
				return 0, dst, ErrDNSName
			}
			off = ptr
		default:
			return 0, dst, ErrDNSName
		}
	}
}

// skipName returns the offset after the name written at off.
func skipName(msg []byte, off int) (int, error) {
	for {
		if off >= len(msg) {
			return 0, ErrDNSShort
		}
		l := int(msg[off])
		switch l & 0xc0 {
		case 0x00:
			if l == 0 {
				return off + 1, nil
			}
			off += 1 + l
		case 0xc0:
			if off+2 > len(msg) {
				return 0, ErrDNSShort
			}
			return off + 2, nil
		default:
			return 0, ErrDNSName
		}
	}
}
