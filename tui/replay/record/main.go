// Command record runs the engine on the built-in demo capture as the
// explorer's demo does and writes the run to tui/replay/testdata/demo.gob.gz,
// the recording the explorer's golden tests and flows replay.
//
//	go run ./tui/replay/record [-o FILE]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/mimir-tui/mimir-tui/engine/safefile"
	"github.com/mimir-tui/mimir-tui/tui/replay"
)

func main() {
	out := flag.String("o", "tui/replay/testdata/demo.gob.gz", "where to write the recording")
	flag.Parse()
	if err := record(*out); err != nil {
		fmt.Fprintln(os.Stderr, "record:", err)
		os.Exit(1)
	}
}

func record(path string) error {
	rec, err := replay.Record(context.Background(), replay.DemoInputs(), replay.DemoOptions())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rec.Encode(&buf); err != nil {
		return err
	}
	if err := safefile.Write(path, buf.Bytes(), true); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d events, %d bytes\n", path, len(rec.Events), buf.Len())
	return nil
}
