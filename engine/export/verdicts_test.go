package export

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestVerdictsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := VerdictsPath(filepath.Join(dir, "capture.pcapng"))
	v, err := ReadVerdicts(path)
	if err != nil || len(v.Verdicts) != 0 {
		t.Fatalf("a missing file: %+v, %v; want no verdicts", v, err)
	}
	start := time.Date(2026, 11, 24, 12, 28, 9, 0, time.UTC)
	iv := Interval{SizeSeconds: 10, Start: start, End: start.Add(70 * time.Second)}
	v.Set(Verdict{SizeSeconds: 10, Start: iv.Start, End: iv.End, Verdict: Unsure, At: start})
	v.Set(Verdict{SizeSeconds: 10, Start: iv.Start, End: iv.End, Verdict: Confirmed, Note: "redis dump to 203.0.113.10", At: start})
	if err := v.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadVerdicts(path)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := back.Of(&iv)
	if !ok || got.Verdict != Confirmed || got.Note != "redis dump to 203.0.113.10" || len(back.Verdicts) != 1 {
		t.Errorf("read back %+v", back.Verdicts)
	}
	os.WriteFile(path, []byte(`{"kind":"something"}`), 0o644)
	if _, err := ReadVerdicts(path); err == nil {
		t.Error("a file of another kind was accepted")
	}
}
