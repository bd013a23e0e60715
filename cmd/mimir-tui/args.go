package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// sniffSize is how much of a file sniff reads: what entities.Detect looks
// at, and far more than any capture header.
const sniffSize = 64 << 10

// fileKind is what a file holds, judged from its first bytes.
type fileKind int

const (
	kindUnknown fileKind = iota
	kindCapture
	kindEntities
)

// role names what a positional argument must hold.
func (k fileKind) role() string {
	switch k {
	case kindCapture:
		return "a capture"
	case kindEntities:
		return "an entity log"
	}
	return "neither a capture nor an entity log"
}

// roleKind is the kind a positional argument name (CAPTURE, ENTITIES) asks for.
func roleKind(name string) fileKind {
	switch name {
	case "CAPTURE":
		return kindCapture
	case "ENTITIES":
		return kindEntities
	}
	return kindUnknown
}

// checkFileArgs checks, before any work, the positional arguments named by
// names ("CAPTURE ENTITIES" or "CAPTURE") of command cmd: a directory gets
// a message listing the inputs inside it, and arguments in the wrong order
// or of the wrong kind are said plainly. It reads at most the first 64 KiB
// of regular files only (a pipe would lose what was read); a file it cannot
// open or classify is left to the loaders, whose messages are precise.
// Every command taking CAPTURE or ENTITIES calls it (parsePositionals does).
func checkFileArgs(cmd, names string, pos []string) error {
	roles := strings.Fields(names)
	synopsis := fmt.Sprintf("mimir-tui %s %s", cmd, names)
	kinds := make([]fileKind, len(pos))
	for i, p := range pos {
		fi, err := os.Stat(p)
		if p == "-" || err != nil || i >= len(roles) {
			continue
		}
		if fi.IsDir() {
			return dirError(roles[i], p, synopsis)
		}
		if fi.Mode().IsRegular() {
			kinds[i] = sniffFile(p)
		}
	}
	if len(pos) == 2 && kinds[0] == kindEntities && kinds[1] == kindCapture && roleKind(roles[0]) == kindCapture {
		return usagef("the arguments look swapped: the capture comes first: %s (%s is an entity log, %s a capture)", synopsis, pos[0], pos[1])
	}
	for i, k := range kinds {
		if want := roleKind(roles[i]); k != kindUnknown && want != kindUnknown && k != want {
			return usagef("%s %s is %s, not %s: %s", roles[i], pos[i], k.role(), want.role(), synopsis)
		}
	}
	return nil
}

// sniffFile classifies a file from its first bytes.
func sniffFile(path string) fileKind { return sniff(fileHead(path)) }

// fileHead is the first sniffSize bytes of a file, nil when it cannot be
// read.
func fileHead(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	head := make([]byte, sniffSize)
	n, _ := io.ReadFull(f, head)
	return head[:n]
}

// sniff says whether head, the start of a file, is a capture (the capture
// reader accepts its header, gzip included) or an entity log (the entity
// loader recognises its format, after gzip).
func sniff(head []byte) fileKind {
	if _, err := capture.NewReader(bytes.NewReader(head), "head"); err == nil {
		return kindCapture
	}
	if _, ok := entityFormat(head); ok {
		return kindEntities
	}
	return kindUnknown
}

// entityFormat is the format of the entity log that starts with head,
// gzip-compressed or not, when the entity loader recognises one.
func entityFormat(head []byte) (entities.Format, bool) {
	plain := head
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return "", false
		}
		// head is cut short, so the stream ends early: keep what came out.
		plain, _ = io.ReadAll(io.LimitReader(zr, sniffSize))
	}
	f, err := entities.Detect(plain)
	return f, err == nil && len(plain) > 0
}

// maxDirScan bounds how many entries of a directory dirError looks at, and
// maxDirSuggest how many inputs it lists.
const (
	maxDirScan    = 64
	maxDirSuggest = 4
)

// dirError is the message for a directory given as role: it lists the
// captures and entity logs it finds among the first entries, and when it
// finds both, the command that would use them.
func dirError(role, dir, synopsis string) error {
	msg := fmt.Sprintf("%s %s is a directory; give a file: %s", role, dir, synopsis)
	caps, ents := dirInputs(dir)
	var found []string
	for _, p := range caps {
		found = append(found, p+" (capture)")
	}
	for _, p := range ents {
		found = append(found, p+" (entity log)")
	}
	if len(found) == 0 {
		return usagef("%s (no capture or entity log among its first %d entries)", msg, maxDirScan)
	}
	if len(found) > maxDirSuggest {
		found = found[:maxDirSuggest]
	}
	msg += "; in it: " + strings.Join(found, ", ")
	if len(caps) > 0 && len(ents) > 0 && strings.HasSuffix(synopsis, "CAPTURE ENTITIES") {
		msg += fmt.Sprintf("; e.g. %s %s %s", strings.TrimSuffix(synopsis, " CAPTURE ENTITIES"), caps[0], ents[0])
	}
	return usagef("%s", msg)
}

// dirInputs lists the captures and entity logs among dir's first
// maxDirScan entries, by name.
func dirInputs(dir string) (caps, ents []string) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, nil
	}
	entries, _ := f.ReadDir(maxDirScan)
	f.Close()
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for _, e := range entries {
		if !e.Type().IsRegular() || len(caps)+len(ents) >= maxDirSuggest {
			continue
		}
		p := filepath.Join(dir, e.Name())
		switch sniffFile(p) {
		case kindCapture:
			caps = append(caps, p)
		case kindEntities:
			ents = append(ents, p)
		}
	}
	// A pickle log counts from a second 0 that may need an offset; a log
	// with its own times makes the better example (entities.jsonl, not
	// cluster_creation_log.pickle, beside the demo's capture).
	slices.SortStableFunc(ents, func(a, b string) int { return cmp.Compare(pickleLog(a), pickleLog(b)) })
	return caps, ents
}

// pickleLog is 1 for a MIMIR pickle entity log, else 0.
func pickleLog(path string) int {
	if f, _ := entityFormat(fileHead(path)); f == entities.FormatPickle {
		return 1
	}
	return 0
}
