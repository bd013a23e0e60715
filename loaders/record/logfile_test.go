package record

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// priorLog is a log an earlier run wrote on churnCluster, since when a
// pod went away, the Job's pod appeared and the catalogue pod changed
// address; its last line lacks its newline.
var priorLog = strings.Join([]string{
	`# recorded earlier`,
	churnSnapshot[0], churnSnapshot[1],
	`{"ts":"2026-11-24T11:59:00.000000000Z","op":"add","kind":"pod","name":"catalogue-6d8f9c7b5-x7k2p","namespace":"default","ip":"10.244.0.4","labels":{"name":"catalogue","pod-template-hash":"6d8f9c7b5"},"controller":"catalogue","status":"Running"}`,
	`{"ts":"2026-11-24T11:59:00.000000000Z","op":"add","kind":"pod","name":"cart-0","namespace":"default","ip":"10.244.0.20","labels":{"name":"cart"},"controller":"cart"}`,
	`{"ts":"2026-11-24T11:59:00.000000000Z","op":"add","kind":"pod","name":"old-0","namespace":"default","ip":"10.244.0.21"}`,
	`{"ts":"2026-11-24T11:59:30.000000000Z","op":"delete","kind":"pod","name":"old-0","namespace":"default","ip":"10.244.0.21"}`,
	churnSnapshot[4], churnSnapshot[5],
}, "\n")

// appended is what a run at t0+5m appends to priorLog on churnCluster:
// the newline, the delete of the pod that is gone, then the new and the
// changed pods in key order. Unchanged entities are not repeated. A delete
// repeats the entity as the log has it, with the object's status now.
var appended = []string{
	``,
	`{"ts":"2026-11-24T12:05:00.000000000Z","op":"delete","kind":"pod","name":"cart-0","namespace":"default","ip":"10.244.0.20","labels":{"name":"cart"},"controller":"cart"}`,
	`{"ts":"2026-11-24T12:05:00.000000000Z","op":"add","kind":"pod","name":"backup-8c2z4","namespace":"default","ip":"10.244.0.8","labels":{"name":"backup"},"controller":"backup","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
	`{"ts":"2026-11-24T12:05:00.000000000Z","op":"delete","kind":"pod","name":"catalogue-6d8f9c7b5-x7k2p","namespace":"default","ip":"10.244.0.4","labels":{"name":"catalogue","pod-template-hash":"6d8f9c7b5"},"controller":"catalogue","status":"Running"}`,
	`{"ts":"2026-11-24T12:05:00.000000000Z","op":"add","kind":"pod","name":"catalogue-6d8f9c7b5-x7k2p","namespace":"default","ip":"10.244.0.5","labels":{"name":"catalogue","pod-template-hash":"6d8f9c7b5"},"controller":"catalogue","status":"Running","created":"2026-11-24T11:00:00Z","started":"2026-11-24T11:00:01Z"}`,
}

// recordTo opens path with OpenLog and records until ready.
func recordTo(t *testing.T, path string, opts Options) Stats {
	t.Helper()
	f, prior, err := OpenLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts.Prior = prior
	return runToReady(t, churnCluster(), f, opts)
}

func TestRecordAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "entities.jsonl")
	if err := os.WriteFile(path, []byte(priorLog), 0o644); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: t0.Add(5 * time.Minute)}
	stats := recordTo(t, path, Options{Now: clk.now})
	if stats != (Stats{Adds: 2, Deletes: 2}) {
		t.Errorf("stats %+v, want 2 adds and 2 deletes", stats)
	}
	want := priorLog + strings.Join(appended, "\n") + "\n"
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, "appended", lines(string(got)), lines(want))

	// A restart on the same cluster (a reconnect the hard way), in all
	// namespaces or in one, appends nothing: in particular, kube-system's
	// pod is left alone when only default is watched.
	for _, ns := range []string{"", "default"} {
		if s := recordTo(t, path, Options{Now: clk.now, Namespace: ns}); s != (Stats{}) {
			t.Errorf("restart with namespace %q: wrote %+v, want nothing", ns, s)
		}
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, got) {
		t.Errorf("the restarts changed the log:\n%s", again)
	}
}

func TestOpenLogNewAndEmpty(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "new.jsonl"), empty} {
		f, prior, err := OpenLog(path)
		if err != nil || prior != nil {
			t.Fatalf("%s: prior %v, error %v; want a fresh log", path, prior, err)
		}
		f.Close()
	}
}

// TestOpenLogRefuses: files record must not append to are refused with a
// message saying why, and left as they were.
func TestOpenLogRefuses(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(churnSnapshot[0] + "\n"))
	zw.Close()
	tests := []struct {
		name, data, want string
	}{
		{"text", "hello\n", "cannot be read"},
		{"kubectl list", `{"kind": "List", "items": []}`, "is a kubectl-list log"},
		{"pickle", "(dp0\n.", "is a mimir-pickle log"},
		{"gzip", gz.String(), "is gzip-compressed"},
		{"a broken line", churnSnapshot[0] + "\n" + `{"ts":"2026-11-24T12:00:00Z","op":"add","kind":"pod","na`, "x.jsonl:2:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.jsonl")
			if err := os.WriteFile(path, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := OpenLog(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "choose another -o") {
				t.Fatalf("error %v, want it to say %q and to choose another -o", err, tc.want)
			}
			if got, _ := os.ReadFile(path); string(got) != tc.data {
				t.Errorf("the file changed to %q", got)
			}
		})
	}
}
