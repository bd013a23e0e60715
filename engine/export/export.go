package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/engine/safefile"
)

// Interval is a run of consecutive alerting windows of one window size.
type Interval struct {
	Start       time.Time `json:"start"` // start of the first window
	End         time.Time `json:"end"`   // end of the last window
	FirstWindow int       `json:"first_window"`
	LastWindow  int       `json:"last_window"`
	Windows     int       `json:"windows"`
	PeakScore   float64   `json:"peak_score"`
	PeakWindow  int       `json:"peak_window"` // earliest window with PeakScore
	// Services are the services at either end of the intervals' flagged
	// edges, sorted; Edges are those edges as "src -> dst", sorted.
	Services    []string `json:"services"`
	Edges       []string `json:"edges"`
	SizeSeconds float64  `json:"size_seconds"` // the window size
}

// EdgeName is how an edge is written in Interval.Edges and shown in the UI.
func EdgeName(src, dst string) string { return src + " -> " + dst }

// Intervals merges the windows of s that alert at threshold into intervals.
// Windows are consecutive when their indices follow each other; a window
// that does not alert (its score is below threshold, or NaN) ends an
// interval.
func Intervals(s *engine.Series, threshold float64) []Interval {
	if s == nil {
		return nil
	}
	var (
		out      []Interval
		cur      *Interval
		services map[string]bool
		edges    map[string]bool
	)
	flush := func() {
		if cur == nil {
			return
		}
		cur.Services = sortedKeys(services)
		cur.Edges = sortedKeys(edges)
		out = append(out, *cur)
		cur = nil
	}
	for i := range s.Windows {
		w := &s.Windows[i]
		if !w.Alert(threshold) {
			flush()
			continue
		}
		if cur != nil && w.Index != cur.LastWindow+1 {
			flush()
		}
		if cur == nil {
			cur = &Interval{
				Start:       w.Start,
				FirstWindow: w.Index,
				PeakScore:   w.Score,
				PeakWindow:  w.Index,
				SizeSeconds: s.Size.Seconds(),
			}
			services = map[string]bool{}
			edges = map[string]bool{}
		}
		cur.End = w.End
		cur.LastWindow = w.Index
		cur.Windows++
		if w.Score > cur.PeakScore {
			cur.PeakScore, cur.PeakWindow = w.Score, w.Index
		}
		for _, e := range w.Flagged {
			services[e.Src] = true
			services[e.Dst] = true
			edges[EdgeName(e.Src, e.Dst)] = true
		}
	}
	flush()
	return out
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Format is a file format for Write.
type Format string

const (
	JSON Format = "json"
	CSV  Format = "csv"
)

// FormatOf returns the format named by path's extension (.json or .csv,
// any case).
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return JSON, nil
	case ".csv":
		return CSV, nil
	}
	return "", fmt.Errorf("export: %s: unknown extension %q; name the file .json or .csv", path, filepath.Ext(path))
}

// Encode renders ivs in format f.
func Encode(f Format, ivs []Interval) ([]byte, error) {
	switch f {
	case JSON:
		if ivs == nil {
			ivs = []Interval{}
		}
		out := make([]Interval, len(ivs))
		for i, iv := range ivs {
			// Empty lists are [] rather than null, for consumers that
			// iterate without checking.
			if iv.Services == nil {
				iv.Services = []string{}
			}
			if iv.Edges == nil {
				iv.Edges = []string{}
			}
			out[i] = iv
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // edges read "a -> b"
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return nil, fmt.Errorf("export: encoding JSON: %w", err)
		}
		return buf.Bytes(), nil
	case CSV:
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(CSVHeader)
		for _, iv := range ivs {
			w.Write([]string{
				iv.Start.Format(time.RFC3339Nano),
				iv.End.Format(time.RFC3339Nano),
				strconv.FormatFloat(iv.SizeSeconds, 'g', -1, 64),
				strconv.Itoa(iv.FirstWindow),
				strconv.Itoa(iv.LastWindow),
				strconv.Itoa(iv.Windows),
				strconv.FormatFloat(iv.PeakScore, 'g', -1, 64),
				strconv.Itoa(iv.PeakWindow),
				strings.Join(iv.Services, ";"),
				strings.Join(iv.Edges, ";"),
			})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return nil, fmt.Errorf("export: encoding CSV: %w", err)
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("export: unknown format %q; use json or csv", f)
}

// CSVHeader is the first row of a CSV export. Services and edges are
// joined with ";".
var CSVHeader = []string{
	"start", "end", "size_seconds", "first_window", "last_window", "windows",
	"peak_score", "peak_window", "services", "edges",
}

// Write writes ivs to path, as JSON or CSV by its extension. It writes a
// temporary file in the same directory and renames it into place, so a
// reader never sees half a file. Unless overwrite is set it refuses to
// replace an existing file, with an error wrapping os.ErrExist.
func Write(path string, ivs []Interval, overwrite bool) error {
	f, err := FormatOf(path)
	if err != nil {
		return err
	}
	data, err := Encode(f, ivs)
	if err != nil {
		return err
	}
	if err := safefile.Write(path, data, overwrite); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// ReadJSON reads intervals written by Write as JSON.
func ReadJSON(path string) ([]Interval, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var ivs []Interval
	if err := json.Unmarshal(b, &ivs); err != nil {
		return nil, fmt.Errorf("export: %s is not a JSON interval export: %w", path, err)
	}
	return ivs, nil
}
