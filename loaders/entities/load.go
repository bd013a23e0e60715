package entities

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Limits that keep memory bounded on absurd or hostile input. A three-hour
// MIMIR pickle is 260 KB and a busy day of kubectl watch events a few tens
// of megabytes, so these leave room for a hundredfold more.
const (
	// MaxDocument bounds the formats that are parsed as one document (the
	// pickle and kubectl JSON): they are read into memory whole.
	MaxDocument = 256 << 20
	// MaxPickle bounds pickles further: unpickling costs a few times the
	// input in memory.
	MaxPickle = 64 << 20
	// MaxLine bounds one JSON Lines line.
	MaxLine = 1 << 20
	// MaxEvents bounds the events of one log.
	MaxEvents = 10_000_000
)

// headSize is how much of the input Detect is shown.
const headSize = 64 << 10

// ParseError is bad input at a position of a named entity log.
type ParseError struct {
	Name string // the log's name as given to Parse ("-" for stdin)
	// Line is the 1-based line, 0 when the format has no lines (a binary
	// pickle) or the position is given by Where.
	Line int
	// Where names the record when a line is not enough, e.g.
	// `key 7986, entry "web-0"` in a pickle or `byte 1234`; may be "".
	Where string
	// Field is the offending field, e.g. "ts" or "status.podIP"; may be "".
	Field string
	Err   error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Where != "" {
		b.WriteString(": ")
		b.WriteString(e.Where)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrUnknownFormat is wrapped by Detect's error when no format matches.
var ErrUnknownFormat = errors.New("unrecognised entity log format")

// ErrTooLarge is wrapped by errors about input beyond the package limits.
var ErrTooLarge = errors.New("entity log too large")

// Load opens path ("-" for standard input), detects its format from the
// content and parses it. A gzip-compressed log is decompressed first.
func Load(path string) (*Log, error) {
	if path == "-" {
		return Parse(os.Stdin, "-")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open entity log: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads an entity log from r, detecting its format from the content.
// name is used in messages and becomes Log.Name.
func Parse(r io.Reader, name string) (*Log, error) {
	br := bufio.NewReaderSize(r, headSize)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &ParseError{Name: name, Err: fmt.Errorf("bad gzip header: %w", err)}
		}
		defer zr.Close()
		// The limit also stops decompression bombs: nothing downstream reads
		// more than MaxDocument bytes, however well it compresses.
		br = bufio.NewReaderSize(&limitedReader{r: zr, n: MaxDocument + 1}, headSize)
	}
	head, err = br.Peek(headSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	format, err := Detect(head)
	if err != nil {
		return nil, &ParseError{Name: name, Err: err}
	}
	var log *Log
	switch format {
	case FormatJSONL:
		log, err = parseJSONL(br, name)
	default:
		data, rerr := readAll(br, name, format)
		if rerr != nil {
			return nil, rerr
		}
		switch format {
		case FormatPickle:
			log, err = parsePickle(data, name)
		case FormatKubectlList:
			log, err = parseKubectlList(data, name)
		case FormatKubectlWatch:
			log, err = parseKubectlWatch(data, name)
		}
	}
	if err != nil {
		return nil, err
	}
	log.Name, log.Format = name, format
	// Parsers emit in source order; equal times keep it.
	slices.SortStableFunc(log.Events, func(a, b Event) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	return log, nil
}

// readAll reads a whole document, refusing more than the format's limit.
func readAll(r io.Reader, name string, f Format) ([]byte, error) {
	limit := int64(MaxDocument)
	if f == FormatPickle {
		limit = MaxPickle
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, &ParseError{Name: name, Err: fmt.Errorf("%w: a %s log over %d MiB is not supported; split it or convert it to JSON Lines, which is streamed", ErrTooLarge, f, limit>>20)}
	}
	return data, nil
}

// limitedReader is io.LimitReader that reports reaching the limit as an
// error, so a truncated document is never mistaken for a complete one.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, fmt.Errorf("%w: decompressed input exceeds %d MiB", ErrTooLarge, MaxDocument>>20)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// Detect names the format of an entity log from its first bytes (up to 64
// KiB are looked at). It does not unwrap gzip: Parse does that first.
func Detect(head []byte) (Format, error) {
	if len(head) > 0 && isPickleHead(head) {
		return FormatPickle, nil
	}
	h := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	h = bytes.TrimLeft(h, " \t\r\n")
	if len(h) > 0 && h[0] == '{' {
		if f, ok := detectJSON(h); ok {
			return f, nil
		}
	}
	// Skip comment lines of a JSON Lines log.
	for len(h) > 0 && h[0] == '#' {
		i := bytes.IndexByte(h, '\n')
		if i < 0 {
			h = nil
			break
		}
		h = bytes.TrimLeft(h[i+1:], " \t\r\n")
		if len(h) > 0 && h[0] == '{' {
			if f, ok := detectJSON(h); ok && f == FormatJSONL {
				return f, nil
			}
		}
	}
	return "", fmt.Errorf("%w: expected one of: %s (a Python pickle of {seconds: {name: (ip, '+'|'-', namespace, 'pod'|'svc', labels, status)}}), "+
		"%s (one {\"ts\", \"op\", \"kind\", \"name\", ...} object per line), "+
		"%s (kubectl get pods,svc -A -o json), "+
		"%s (kubectl get pods,svc -A --watch --output-watch-events -o json); the input starts with %s",
		ErrUnknownFormat, FormatPickle, FormatJSONL, FormatKubectlList, FormatKubectlWatch, preview(head))
}

func preview(b []byte) string {
	if len(b) == 0 {
		return "(the input is empty)"
	}
	if len(b) > 24 {
		b = b[:24]
	}
	return strconv.Quote(string(b))
}

// isPickleHead recognises the first opcodes of a pickled dict: PROTO
// (protocols 2 and up), EMPTY_DICT (protocol 1, and 2+ after PROTO) or MARK DICT
// (protocol 0). JSON never starts with any of them.
func isPickleHead(h []byte) bool {
	switch {
	case h[0] == 0x80: // PROTO; the sanitizer checks the version
		return true
	case h[0] == '}':
		return true
	case len(h) >= 2 && h[0] == '(' && h[1] == 'd':
		return true
	}
	return false
}

// detectJSON reads the top-level keys of the first JSON object in h
// (without needing the whole object) and decides which format it is.
func detectJSON(h []byte) (Format, bool) {
	keys := topLevelKeys(h)
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch kind := keys["kind"]; {
	case has("items") || strings.HasSuffix(kind, "List"):
		return FormatKubectlList, true
	case has("object") && (has("type") || len(keys) <= 2):
		return FormatKubectlWatch, true
	case kind == "Pod" || kind == "Service":
		// kubectl get -w -o json without --output-watch-events prints bare
		// objects; they are read as a watch stream.
		return FormatKubectlWatch, true
	case has("ts") || has("op"):
		return FormatJSONL, true
	}
	return "", false
}

// topLevelKeys returns the keys of the JSON object at the start of h, with
// string values kept (others as ""). It stops quietly where h ends.
func topLevelKeys(h []byte) map[string]string {
	keys := make(map[string]string)
	d := newScanner(h)
	if d.next() != '{' {
		return keys
	}
	for {
		d.skipSpace()
		if d.peek() != '"' {
			return keys
		}
		k, ok := d.str()
		if !ok {
			return keys
		}
		d.skipSpace()
		if d.next() != ':' {
			return keys
		}
		d.skipSpace()
		if d.peek() == '"' {
			v, ok := d.str()
			keys[k] = v
			if !ok {
				return keys
			}
		} else {
			keys[k] = ""
			if !d.skipValue() {
				return keys
			}
		}
		d.skipSpace()
		if d.next() != ',' {
			return keys
		}
	}
}

// scanner is a tiny JSON tokenizer for Detect: it must cope with a head
// cut anywhere, which encoding/json does not.
type scanner struct {
	b []byte
	i int
}

func newScanner(b []byte) *scanner { return &scanner{b: b} }

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) next() byte {
	c := s.peek()
	s.i++
	return c
}

func (s *scanner) skipSpace() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// str reads a string (escapes are kept raw: keys of interest have none).
func (s *scanner) str() (string, bool) {
	s.i++ // opening quote
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			v := string(s.b[start:s.i])
			s.i++
			return v, true
		}
		s.i++
	}
	return "", false
}

// skipValue skips a number, literal, array or object; false at the end of
// the input.
func (s *scanner) skipValue() bool {
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if _, ok := s.str(); !ok {
				return false
			}
			if depth == 0 {
				return true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return true // end of the enclosing object: leave it for the caller
			}
			if depth == 0 {
				s.i++
				return true
			}
		case ',':
			if depth == 0 {
				return true
			}
		}
		s.i++
	}
	return false
}
