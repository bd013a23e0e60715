package main

import (
	"bufio"
	"bytes"
	"io"
	"os"

	"github.com/mimir-tui/mimir-tui/engine/safefile"
)

// checkOutput is the rule for every output file named on the command line
// (-o, --export-intervals): an existing file is never replaced unless
// --force is given. Commands check before the work starts, so nobody waits
// for a run whose result cannot be written; the write itself (safefile)
// checks again, atomically, with the same force.
func checkOutput(path string, force bool) error {
	if path == "" || force {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return usagef("%s exists; remove it or pass --force", path)
	}
	return nil
}

// writeOutput writes what write produces to the file out, atomically (a
// reader never sees half of it; an interrupted run leaves nothing), or to
// stdout when out is empty. force allows replacing an existing file.
func writeOutput(out string, force bool, stdout io.Writer, write func(io.Writer) error) error {
	if out != "" {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return err
		}
		return safefile.Write(out, buf.Bytes(), force)
	}
	bw := bufio.NewWriter(stdout)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}
