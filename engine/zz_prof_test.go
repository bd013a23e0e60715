package engine

import (
	"context"
	"os"
	"testing"
)

func TestZZProfile(t *testing.T) {
	dir := os.Getenv("PROF_DIR")
	if dir == "" {
		t.Skip()
	}
	opts := DefaultOptions()
	opts.Baseline = BaselineAll()
	opts.Sensitive = []string{"shop-db"}
	in := Inputs{Capture: FileSource(dir + "/capture.pcapng"), Entities: FileSource(dir + "/entities.jsonl")}
	if _, err := Run(context.Background(), in, opts, nil); err != nil {
		t.Fatal(err)
	}
}
