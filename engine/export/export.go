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
	// Partial is set when the interval holds a partial window: the
	// capture ends inside its last window, which covers less time.
	Partial bool `json:"partial"`
	// Verdict and Note are the analyst's, when one was given.
	Verdict string `json:"verdict,omitempty"`
	Note    string `json:"note,omitempty"`
}

// EdgeName is how an edge is written in Interval.Edges and shown in the UI.
func EdgeName(src, dst string) string { return src + " -> " + dst }

// Intervals merges the windows of s that alert at threshold into intervals.
// Windows are consecutive when their indices follow each other; a window
// that does not alert (WindowResult.Alert) ends an interval.
func Intervals(s *engine.Series, threshold float64) []Interval {
	if s == nil {
		return nil
	}
	m := NewMerger(s.Size, threshold)
	for i := range s.Windows {
		m.Add(&s.Windows[i])
	}
	return m.Intervals()
}

// Merger merges the alerting windows of one size, given one at a time in
// index order, into intervals: what Intervals does, for windows that are
// streamed rather than held.
type Merger struct {
	size      time.Duration
	threshold float64
	out       []Interval
	cur       *Interval
	services  map[string]bool
	edges     map[string]bool
}

// NewMerger merges windows of size that alert at threshold.
func NewMerger(size time.Duration, threshold float64) *Merger {
	return &Merger{size: size, threshold: threshold}
}

// Add takes the next window.
func (m *Merger) Add(w *engine.WindowResult) {
	if !w.Alert(m.threshold) || (m.cur != nil && w.Index != m.cur.LastWindow+1) {
		m.flush()
	}
	if !w.Alert(m.threshold) {
		return
	}
	if m.cur == nil {
		m.cur = &Interval{Start: w.Start, FirstWindow: w.Index, PeakScore: w.Score, PeakWindow: w.Index, SizeSeconds: m.size.Seconds()}
		m.services, m.edges = map[string]bool{}, map[string]bool{}
	}
	m.cur.End, m.cur.LastWindow = w.End, w.Index
	m.cur.Windows++
	m.cur.Partial = m.cur.Partial || w.Partial
	if w.Score > m.cur.PeakScore {
		m.cur.PeakScore, m.cur.PeakWindow = w.Score, w.Index
	}
	for _, e := range w.Flagged {
		m.services[e.Src] = true
		m.services[e.Dst] = true
		m.edges[EdgeName(e.Src, e.Dst)] = true
	}
}

func (m *Merger) flush() {
	if m.cur == nil {
		return
	}
	m.cur.Services = sortedKeys(m.services)
	m.cur.Edges = sortedKeys(m.edges)
	m.out = append(m.out, *m.cur)
	m.cur = nil
}

// Intervals ends the run of alerting windows in progress, if any, and
// returns every interval so far.
func (m *Merger) Intervals() []Interval {
	m.flush()
	return m.out
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
				iv.Verdict,
				iv.Note,
				strconv.FormatBool(iv.Partial),
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
	"peak_score", "peak_window", "services", "edges", "verdict", "note", "partial",
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
