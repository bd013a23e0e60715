package entities

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// Bounds on a pickle's shape. A MIMIR log nests three deep (outer dict,
// inner dict, tuple) and keeps a handful of items on the stack; these are
// generous for any data pickle and stop inputs crafted to exhaust memory.
const (
	pickleMaxMarks = 64      // nested MARKs
	pickleMaxStack = 1 << 20 // items on the unpickler's stacks
	pickleMaxMemo  = 1 << 22 // memo entries
	pickleMaxNum   = 64      // characters or bytes of one number literal
	// pickleMaxEntries bounds the entries of all keys together: a week
	// of a 10000-pod cluster listed every 1000 s is 6·10⁶.
	pickleMaxEntries = 1 << 24
	// pickleMaxSeconds bounds a key: ~31 years past second 0 is absurd.
	pickleMaxSeconds = 1e9
)

// parsePickle reads an original MIMIR cluster-creation log.
func parsePickle(data []byte, name string) (*Log, error) {
	clean, err := sanitizePickle(data)
	if err != nil {
		return nil, &ParseError{Name: name, Err: err}
	}
	v, err := unpickle(clean)
	if err != nil {
		return nil, &ParseError{Name: name, Err: fmt.Errorf("corrupt pickle: %w", err)}
	}
	events, err := pickleEvents(v, name)
	if err != nil {
		return nil, err
	}
	return &Log{Relative: true, Events: events}, nil
}

// unpickle runs gopickle on a sanitized pickle. sanitizePickle already
// rejected everything known to make gopickle panic (odd DICT items, unknown
// opcodes, empty LONG1, stack underflow); the recover is a last guard so a
// gopickle bug becomes an error, not a crash.
func unpickle(clean []byte) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("unpickler failed: %v", r)
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(clean))
	// No GLOBAL survives sanitizing; refuse classes anyway.
	u.FindClass = func(module, name string) (any, error) {
		return nil, fmt.Errorf("class %s.%s is not allowed", module, name)
	}
	return u.Load()
}

// pickleOp describes how an opcode's argument is encoded and what it does
// to the unpickler's stack.
type pickleOp struct {
	name string
	arg  byte // 0 none, 'l' line, 'f' fixed size, '1' '4' '8' counted with that many length bytes
	size int  // fixed size for 'f'
	pop  int  // items popped from the current level
	push int  // items pushed
	mark int8 // +1 pushes a MARK, -1 pops to the MARK (then pop/push apply to the outer level)
	str  bool // a string or bytes argument, rewritten to BINUNICODE
	bad  bool // builds objects or needs external state: rejected
}

// pickleOps is indexed by opcode; a zero name means no such opcode.
var pickleOps = [256]pickleOp{
	'(':  {name: "MARK", mark: 1},
	'.':  {name: "STOP", pop: 1},
	'0':  {name: "POP"}, // pops an item, or the MARK when the level is empty: handled below
	'1':  {name: "POP_MARK", mark: -1},
	'2':  {name: "DUP", pop: 1, push: 2},
	'F':  {name: "FLOAT", arg: 'l', push: 1},
	'I':  {name: "INT", arg: 'l', push: 1},
	'J':  {name: "BININT", arg: 'f', size: 4, push: 1},
	'K':  {name: "BININT1", arg: 'f', size: 1, push: 1},
	'L':  {name: "LONG", arg: 'l', push: 1},
	'M':  {name: "BININT2", arg: 'f', size: 2, push: 1},
	'N':  {name: "NONE", push: 1},
	'P':  {name: "PERSID", bad: true},
	'Q':  {name: "BINPERSID", bad: true},
	'R':  {name: "REDUCE", bad: true},
	'S':  {name: "STRING", arg: 'l', push: 1, str: true},
	'T':  {name: "BINSTRING", arg: '4', push: 1, str: true},
	'U':  {name: "SHORT_BINSTRING", arg: '1', push: 1, str: true},
	'V':  {name: "UNICODE", arg: 'l', push: 1, str: true},
	'X':  {name: "BINUNICODE", arg: '4', push: 1, str: true},
	'a':  {name: "APPEND", pop: 2, push: 1},
	'b':  {name: "BUILD", bad: true},
	'c':  {name: "GLOBAL", bad: true},
	'd':  {name: "DICT", mark: -1, push: 1},
	'}':  {name: "EMPTY_DICT", push: 1},
	'e':  {name: "APPENDS", mark: -1, pop: 1, push: 1},
	'g':  {name: "GET", arg: 'l', push: 1},
	'h':  {name: "BINGET", arg: 'f', size: 1, push: 1},
	'i':  {name: "INST", bad: true},
	'j':  {name: "LONG_BINGET", arg: 'f', size: 4, push: 1},
	'l':  {name: "LIST", mark: -1, push: 1},
	']':  {name: "EMPTY_LIST", push: 1},
	'o':  {name: "OBJ", bad: true},
	'p':  {name: "PUT", arg: 'l', pop: 1, push: 1},
	'q':  {name: "BINPUT", arg: 'f', size: 1, pop: 1, push: 1},
	'r':  {name: "LONG_BINPUT", arg: 'f', size: 4, pop: 1, push: 1},
	's':  {name: "SETITEM", pop: 3, push: 1},
	't':  {name: "TUPLE", mark: -1, push: 1},
	')':  {name: "EMPTY_TUPLE", push: 1},
	'u':  {name: "SETITEMS", mark: -1, pop: 1, push: 1},
	'G':  {name: "BINFLOAT", arg: 'f', size: 8, push: 1},
	0x80: {name: "PROTO", arg: 'f', size: 1},
	0x81: {name: "NEWOBJ", bad: true},
	0x82: {name: "EXT1", bad: true},
	0x83: {name: "EXT2", bad: true},
	0x84: {name: "EXT4", bad: true},
	0x85: {name: "TUPLE1", pop: 1, push: 1},
	0x86: {name: "TUPLE2", pop: 2, push: 1},
	0x87: {name: "TUPLE3", pop: 3, push: 1},
	0x88: {name: "NEWTRUE", push: 1},
	0x89: {name: "NEWFALSE", push: 1},
	0x8a: {name: "LONG1", arg: '1', push: 1},
	0x8b: {name: "LONG4", arg: '4', push: 1},
	'B':  {name: "BINBYTES", arg: '4', push: 1, str: true},
	'C':  {name: "SHORT_BINBYTES", arg: '1', push: 1, str: true},
	0x8c: {name: "SHORT_BINUNICODE", arg: '1', push: 1, str: true},
	0x8d: {name: "BINUNICODE8", arg: '8', push: 1, str: true},
	0x8e: {name: "BINBYTES8", arg: '8', push: 1, str: true},
	0x8f: {name: "EMPTY_SET", push: 1},
	0x90: {name: "ADDITEMS", mark: -1, pop: 1, push: 1},
	0x91: {name: "FROZENSET", mark: -1, push: 1},
	0x92: {name: "NEWOBJ_EX", bad: true},
	0x93: {name: "STACK_GLOBAL", bad: true},
	0x94: {name: "MEMOIZE", pop: 1, push: 1},
	0x95: {name: "FRAME", arg: 'f', size: 8},
	0x96: {name: "BYTEARRAY8", arg: '8', push: 1, str: true},
	0x97: {name: "NEXT_BUFFER", bad: true},
	0x98: {name: "READONLY_BUFFER", bad: true},
}

// sanitizePickle walks the opcodes of a pickle without building anything,
// checks every length against the bytes that remain, simulates the stack
// depth, and rewrites the pickle into one gopickle can load safely:
//
//   - every string opcode (S'…', V'…', BINSTRING, SHORT_BINUNICODE, bytes…)
//     becomes BINUNICODE with the decoded UTF-8 text, because gopickle keeps
//     the quotes' escapes of S'…' and V'…' undecoded;
//   - FRAME opcodes are dropped (framing carries no data);
//   - an empty LONG1 (how protocol 2 writes 0L) becomes BININT1 0.
//
// Opcodes that build arbitrary objects (GLOBAL, REDUCE, BUILD, …) are
// rejected: a MIMIR log holds only dicts, tuples, strings and numbers.
func sanitizePickle(p []byte) ([]byte, error) {
	out := make([]byte, 0, len(p)+len(p)/4)
	levels := []int{0} // items per MARK level
	total, memo := 0, 0
	for i := 0; ; {
		if i >= len(p) {
			return nil, fmt.Errorf("pickle ends at byte %d without its STOP opcode: the file is truncated", len(p))
		}
		at := i
		c := p[i]
		op := &pickleOps[c]
		if op.name == "" {
			return nil, fmt.Errorf("byte %d: %q is not a pickle opcode: the file is corrupt or not a pickle", at, c)
		}
		if op.bad {
			return nil, fmt.Errorf("byte %d: pickle opcode %s builds Python objects; a MIMIR log holds only dicts, tuples, strings and numbers", at, op.name)
		}
		i++
		// Read the argument.
		var arg []byte
		switch op.arg {
		case 'l':
			j := bytes.IndexByte(p[i:], '\n')
			if j < 0 {
				return nil, fmt.Errorf("byte %d: %s argument has no end of line: the file is truncated", at, op.name)
			}
			arg = p[i : i+j]
			i += j + 1
		case 'f':
			if len(p)-i < op.size {
				return nil, fmt.Errorf("byte %d: %s needs %d argument bytes, %d remain: the file is truncated", at, op.name, op.size, len(p)-i)
			}
			arg = p[i : i+op.size]
			i += op.size
		case '1', '4', '8':
			nb := int(op.arg - '0')
			if len(p)-i < nb {
				return nil, fmt.Errorf("byte %d: %s length is cut off: the file is truncated", at, op.name)
			}
			var n uint64
			switch nb {
			case 1:
				n = uint64(p[i])
			case 4:
				n = uint64(binary.LittleEndian.Uint32(p[i:]))
				if (c == 'T' || c == 0x8b) && n >= 1<<31 {
					return nil, fmt.Errorf("byte %d: %s has a negative length: the file is corrupt", at, op.name)
				}
			case 8:
				n = binary.LittleEndian.Uint64(p[i:])
			}
			i += nb
			if n > uint64(len(p)-i) {
				return nil, fmt.Errorf("byte %d: %s claims %d bytes, only %d remain: the file is truncated or corrupt", at, op.name, n, len(p)-i)
			}
			arg = p[i : i+int(n)]
			i += int(n)
		}

		// Simulate the stack.
		if op.mark > 0 {
			if len(levels) > pickleMaxMarks {
				return nil, fmt.Errorf("byte %d: pickle nests deeper than %d levels; a MIMIR log nests 3", at, pickleMaxMarks)
			}
			levels = append(levels, 0)
		} else if op.mark < 0 {
			if len(levels) == 1 {
				return nil, fmt.Errorf("byte %d: %s without a MARK: the file is corrupt", at, op.name)
			}
			n := levels[len(levels)-1]
			if c == 'd' && n%2 != 0 {
				return nil, fmt.Errorf("byte %d: DICT with an odd number of items: the file is corrupt", at)
			}
			if c == 'u' && n%2 != 0 {
				return nil, fmt.Errorf("byte %d: SETITEMS with an odd number of items: the file is corrupt", at)
			}
			total -= n
			levels = levels[:len(levels)-1]
		}
		cur := &levels[len(levels)-1]
		if c == '0' {
			if *cur == 0 {
				if len(levels) == 1 {
					return nil, fmt.Errorf("byte %d: POP on an empty stack: the file is corrupt", at)
				}
				levels = levels[:len(levels)-1] // gopickle pops the MARK
			} else {
				*cur--
				total--
			}
		}
		if *cur < op.pop {
			return nil, fmt.Errorf("byte %d: %s needs %d items on the stack, %d there: the file is corrupt", at, op.name, op.pop, *cur)
		}
		*cur += op.push - op.pop
		total += op.push - op.pop
		if total > pickleMaxStack {
			return nil, fmt.Errorf("byte %d: pickle holds more than %d items on its stack; a MIMIR log holds a handful", at, pickleMaxStack)
		}

		// Check arguments and write the cleaned opcode.
		switch {
		case c == '.':
			return append(out, '.'), nil
		case c == 0x95: // FRAME: dropped
		case c == 0x80:
			if arg[0] > 5 {
				return nil, fmt.Errorf("byte %d: pickle protocol %d is newer than 5", at, arg[0])
			}
			out = append(out, c, arg[0])
		case op.str:
			s, err := pickleString(c, arg)
			if err != nil {
				return nil, fmt.Errorf("byte %d: %s: %w", at, op.name, err)
			}
			out = append(out, 'X')
			out = binary.LittleEndian.AppendUint32(out, uint32(len(s)))
			out = append(out, s...)
		case c == 'I' || c == 'L' || c == 'F' || c == 'g' || c == 'p':
			if len(arg) > pickleMaxNum {
				return nil, fmt.Errorf("byte %d: %s argument of %d characters; numbers in a MIMIR log are short", at, op.name, len(arg))
			}
			if c == 'p' {
				memo++
			}
			out = append(out, c)
			out = append(out, arg...)
			out = append(out, '\n')
		case c == 0x8a || c == 0x8b:
			if len(arg) > pickleMaxNum {
				return nil, fmt.Errorf("byte %d: %s of %d bytes; numbers in a MIMIR log are short", at, op.name, len(arg))
			}
			if len(arg) == 0 {
				out = append(out, 'K', 0) // 0L
				break
			}
			out = append(out, 0x8a, byte(len(arg)))
			out = append(out, arg...)
		default:
			if c == 'q' || c == 'r' || c == 0x94 {
				memo++
			}
			out = append(out, c)
			out = append(out, arg...)
		}
		if memo > pickleMaxMemo {
			return nil, fmt.Errorf("byte %d: pickle memoizes more than %d objects", at, pickleMaxMemo)
		}
	}
}

// pickleString decodes a string opcode's argument to UTF-8 text.
func pickleString(c byte, arg []byte) (string, error) {
	switch c {
	case 'S':
		// Python 2 writes repr(str): quoted, with backslash escapes.
		if len(arg) < 2 || arg[0] != arg[len(arg)-1] || (arg[0] != '\'' && arg[0] != '"') {
			return "", errors.New("argument is not a quoted string")
		}
		b, err := unescapePy(arg[1 : len(arg)-1])
		if err != nil {
			return "", err
		}
		return bytesText(b), nil
	case 'V':
		return rawUnicodeEscape(arg)
	case 'X', 0x8c, 0x8d:
		if !utf8.Valid(arg) {
			return "", errors.New("invalid UTF-8")
		}
		return string(arg), nil
	}
	return bytesText(arg), nil // Python 2 str or Python 3 bytes
}

// bytesText turns Python 2 str bytes into text: UTF-8 when they are valid
// UTF-8, else Latin-1 (what pickle.load(f, encoding='latin1') does).
func bytesText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// unescapePy decodes the backslash escapes of a Python 2 string literal.
func unescapePy(s []byte) ([]byte, error) {
	if bytes.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		i++
		if i == len(s) {
			return nil, errors.New("string ends with a lone backslash")
		}
		switch c := s[i]; c {
		case '\\', '\'', '"':
			out = append(out, c)
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case 'a':
			out = append(out, '\a')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'v':
			out = append(out, '\v')
		case '\n':
			// line continuation
		case 'x':
			if i+2 >= len(s) {
				return nil, errors.New(`truncated \x escape`)
			}
			v, err := strconv.ParseUint(string(s[i+1:i+3]), 16, 8)
			if err != nil {
				return nil, fmt.Errorf(`bad \x escape %q`, s[i-1:i+3])
			}
			out = append(out, byte(v))
			i += 2
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v, j := 0, i
			for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
				v = v*8 + int(s[j]-'0')
			}
			out = append(out, byte(v))
			i = j - 1
		default:
			// Python keeps unknown escapes as written.
			out = append(out, '\\', c)
		}
	}
	return out, nil
}

// rawUnicodeEscape decodes Python's raw-unicode-escape codec (the UNICODE
// opcode): bytes are Latin-1, and \uXXXX or \UXXXXXXXX preceded by an odd
// number of backslashes are code points.
func rawUnicodeEscape(s []byte) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteRune(rune(c))
			continue
		}
		j := i
		for j < len(s) && s[j] == '\\' {
			j++
		}
		n := j - i
		if n%2 == 0 || j == len(s) || (s[j] != 'u' && s[j] != 'U') {
			for k := 0; k < n; k++ {
				b.WriteByte('\\')
			}
			i = j - 1
			continue
		}
		for k := 0; k < n-1; k++ {
			b.WriteByte('\\')
		}
		width := 4
		if s[j] == 'U' {
			width = 8
		}
		if j+1+width > len(s) {
			return "", fmt.Errorf(`truncated \%c escape`, s[j])
		}
		v, err := strconv.ParseUint(string(s[j+1:j+1+width]), 16, 32)
		if err != nil || v > utf8.MaxRune {
			return "", fmt.Errorf(`bad \%c escape %q`, s[j], s[j:j+1+width])
		}
		b.WriteRune(rune(v))
		i = j + width
	}
	return b.String(), nil
}

// terminalStatus lists the pod states in which a pod no longer holds its IP
// (or is about to release it): a new pod listed with the same IP takes it
// over instead of forming a shared-IP group with it.
var terminalStatus = map[string]bool{
	"Terminating": true, "Succeeded": true, "Failed": true,
	"Completed": true, "Error": true, "Evicted": true,
}

type pickleEntry struct {
	name  string
	e     Entity
	minus bool
}

// pickleEvents replays the log's keys into events. See the package
// documentation for the rules.
func pickleEvents(v any, name string) ([]Event, error) {
	top, ok := v.(*types.Dict)
	if !ok {
		return nil, &ParseError{Name: name, Err: fmt.Errorf("the pickle holds a %s, not a dict of {seconds: {name: tuple}}: is this a MIMIR cluster-creation log?", pyType(v))}
	}
	type key struct {
		at   int64
		secs string
		list *types.Dict
	}
	// Later duplicates win, as in Python.
	byAt := make(map[int64]int)
	var keys []key
	for _, kv := range *top {
		at, secs, err := pickleSeconds(kv.Key)
		if err != nil {
			return nil, &ParseError{Name: name, Where: fmt.Sprintf("key %s", pyRepr(kv.Key)), Err: err}
		}
		d, ok := kv.Value.(*types.Dict)
		if !ok {
			return nil, &ParseError{Name: name, Where: "key " + secs, Err: fmt.Errorf("value is a %s, want a dict of {name: (ip, '+'|'-', namespace, 'pod'|'svc', labels, status)}", pyType(kv.Value))}
		}
		if j, dup := byAt[at]; dup {
			keys[j].list = d
			continue
		}
		byAt[at] = len(keys)
		keys = append(keys, key{at, secs, d})
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Compare(a.at, b.at) })

	type state struct {
		e      Entity
		status string
	}
	live := make(map[string]*state)
	holder := make(map[netip.Addr]string) // live pod holding an address
	var events []Event
	emit := func(at int64, op Op, e Entity) error {
		if len(events) >= MaxEvents {
			return &ParseError{Name: name, Err: fmt.Errorf("%w: more than %d events", ErrTooLarge, MaxEvents)}
		}
		events = append(events, Event{At: at, Op: op, Entity: e})
		return nil
	}
	remove := func(at int64, n string) error {
		st := live[n]
		delete(live, n)
		if st.e.IP.IsValid() && holder[st.e.IP] == n {
			delete(holder, st.e.IP)
		}
		return emit(at, Delete, st.e)
	}
	// The memo lets a small pickle list one big dict under many keys:
	// bound the entries to replay, not just the bytes.
	work := 0
	for _, k := range keys {
		if work += k.list.Len(); work > pickleMaxEntries {
			return nil, &ParseError{Name: name, Where: "key " + k.secs, Err: fmt.Errorf("%w: the keys list more than %d entries in all", ErrTooLarge, pickleMaxEntries)}
		}
	}
	seenListing := false
	for _, k := range keys {
		if k.list.Len() == 0 {
			continue
		}
		entries := make([]pickleEntry, 0, k.list.Len())
		idx := make(map[string]int, k.list.Len())
		for _, kv := range *k.list {
			n, ok := kv.Key.(string)
			if !ok || n == "" {
				return nil, &ParseError{Name: name, Where: "key " + k.secs, Err: fmt.Errorf("entity name %s is not a non-empty string", pyRepr(kv.Key))}
			}
			pe, err := pickleEntity(n, kv.Value)
			if err != nil {
				return nil, &ParseError{Name: name, Where: fmt.Sprintf("key %s, entry %q", k.secs, n), Err: err}
			}
			if j, dup := idx[n]; dup {
				entries[j] = pe
				continue
			}
			idx[n] = len(entries)
			entries = append(entries, pe)
		}
		// Python 2 dicts have no meaningful order: process by name.
		slices.SortFunc(entries, func(a, b pickleEntry) int { return strings.Compare(a.name, b.name) })

		// A full listing: the first non-empty key, or one that lists more
		// than one entity and at least half of those live before it.
		full := !seenListing || (len(entries) > 1 && 2*len(entries) >= len(live))
		seenListing = true
		present := make(map[string]bool, len(entries))
		for _, pe := range entries {
			if pe.minus {
				if live[pe.name] != nil {
					if err := remove(k.at, pe.name); err != nil {
						return nil, err
					}
				}
				continue
			}
			present[pe.name] = true
			if old := live[pe.name]; old != nil {
				if old.e.Kind == pe.e.Kind && old.e.Namespace == pe.e.Namespace && old.e.IP == pe.e.IP {
					old.status = pe.e.Status
					continue
				}
				// Re-listed with a new address: a delete and an add.
				if err := remove(k.at, pe.name); err != nil {
					return nil, err
				}
			}
			if pe.e.Kind == Pod && pe.e.IP.IsValid() {
				if h, ok := holder[pe.e.IP]; ok && terminalStatus[live[h].status] {
					if err := remove(k.at, h); err != nil {
						return nil, err
					}
				}
				holder[pe.e.IP] = pe.name
			}
			live[pe.name] = &state{e: pe.e, status: pe.e.Status}
			if err := emit(k.at, Add, pe.e); err != nil {
				return nil, err
			}
		}
		if full {
			var gone []string
			for n := range live {
				if !present[n] {
					gone = append(gone, n)
				}
			}
			slices.Sort(gone)
			for _, n := range gone {
				if err := remove(k.at, n); err != nil {
					return nil, err
				}
			}
		}
	}
	return events, nil
}

// pickleSeconds converts a key (seconds since second 0) to nanoseconds.
func pickleSeconds(k any) (int64, string, error) {
	var f float64
	switch x := k.(type) {
	case int:
		if x > pickleMaxSeconds || x < -pickleMaxSeconds {
			return 0, "", fmt.Errorf("%d seconds is out of range", x)
		}
		return int64(x) * 1e9, strconv.Itoa(x), nil
	case float64:
		f = x
	case *big.Int:
		return 0, "", fmt.Errorf("%s seconds is out of range", x)
	default:
		return 0, "", fmt.Errorf("key is a %s, want seconds since the log's start (int or float)", pyType(k))
	}
	if math.IsNaN(f) || f > pickleMaxSeconds || f < -pickleMaxSeconds {
		return 0, "", fmt.Errorf("%v seconds is out of range", f)
	}
	return int64(math.Round(f * 1e9)), strconv.FormatFloat(f, 'g', -1, 64), nil
}

// pickleEntity reads one (ip, '+'|'-', namespace, 'pod'|'svc', labels,
// status) tuple.
func pickleEntity(name string, v any) (pickleEntry, error) {
	var items []any
	switch t := v.(type) {
	case *types.Tuple:
		items = *t
	case *types.List:
		items = *t
	default:
		return pickleEntry{}, fmt.Errorf("value is a %s, want a tuple (ip, '+'|'-', namespace, 'pod'|'svc', labels, status)", pyType(v))
	}
	if len(items) < 6 {
		return pickleEntry{}, fmt.Errorf("tuple has %d fields, want 6: (ip, '+'|'-', namespace, 'pod'|'svc', labels, status)", len(items))
	}
	field := func(i int, what string) (string, error) {
		switch s := items[i].(type) {
		case string:
			return s, nil
		case nil:
			return "", nil
		}
		return "", fmt.Errorf("field %d (%s) is a %s, want a string", i+1, what, pyType(items[i]))
	}
	var f [6]string
	for i, what := range []string{"ip", "sign", "namespace", "kind", "labels", "status"} {
		s, err := field(i, what)
		if err != nil {
			return pickleEntry{}, err
		}
		f[i] = s
	}
	pe := pickleEntry{name: name}
	switch f[1] {
	case "+":
	case "-":
		pe.minus = true
	default:
		return pickleEntry{}, fmt.Errorf("field 2 (sign) is %q, want '+' or '-'", f[1])
	}
	switch f[3] {
	case "pod":
		pe.e.Kind = Pod
	case "svc", "service":
		pe.e.Kind = Service
	default:
		return pickleEntry{}, fmt.Errorf("field 4 (kind) is %q, want 'pod' or 'svc'", f[3])
	}
	ip, err := parseIP(f[0])
	if err != nil {
		return pickleEntry{}, fmt.Errorf("field 1 (ip): %w", err)
	}
	labels, err := parseLabelList(f[4])
	if err != nil {
		return pickleEntry{}, fmt.Errorf("field 5 (labels): %w", err)
	}
	pe.e.Name, pe.e.Namespace, pe.e.IP, pe.e.Labels, pe.e.Status = name, f[2], ip, labels, f[5]
	return pe, nil
}

// parseIP reads an address; "", "None" and "<none>" mean none (a headless
// service, a pod not yet scheduled).
func parseIP(s string) (netip.Addr, error) {
	switch s {
	case "", "None", "<none>", "none":
		return netip.Addr{}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address (want e.g. 10.244.0.8, fd00::8, or None for a headless service)", s)
	}
	return a.Unmap().WithZone(""), nil
}

// parseLabelList reads kubectl's "k=v,k=v" form; "<none>" and "" are no
// labels.
func parseLabelList(s string) (map[string]string, error) {
	if s == "" || s == "<none>" {
		return nil, nil
	}
	m := make(map[string]string)
	for kv := range strings.SplitSeq(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if k == "" {
			return nil, fmt.Errorf("%q has an empty label key (want k=v,k=v)", s)
		}
		m[k] = strings.TrimSpace(v)
	}
	return m, nil
}

func pyType(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case string:
		return "str"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case *types.Dict:
		return "dict"
	case *types.Tuple:
		return "tuple"
	case *types.List:
		return "list"
	case *types.Set, *types.FrozenSet:
		return "set"
	}
	return fmt.Sprintf("%T", v)
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case int, float64, bool, *big.Int:
		return fmt.Sprint(x)
	}
	return "a " + pyType(v)
}
