package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"
)

// Attack is a known real attack interval in a capture (ground truth).
type Attack struct {
	ID    string    `json:"id"`
	Type  string    `json:"type"`
	Path  []string  `json:"path"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// ReadGroundTruth reads a ground-truth file: {"attacks":[{"id","type",
// "path","start","end"}]} where start and end are epoch seconds or
// RFC 3339 strings (start_rfc3339/end_rfc3339 are accepted too).
func ReadGroundTruth(r io.Reader, name string) ([]Attack, error) {
	var doc struct {
		Attacks []struct {
			ID       string          `json:"id"`
			Type     string          `json:"type"`
			Path     []string        `json:"path"`
			Start    json.RawMessage `json:"start"`
			End      json.RawMessage `json:"end"`
			StartRFC string          `json:"start_rfc3339"`
			EndRFC   string          `json:"end_rfc3339"`
		} `json:"attacks"`
	}
	if err := json.NewDecoder(io.LimitReader(r, 64<<20)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: not a ground-truth file: %w; expected {\"attacks\":[{\"start\":…,\"end\":…}]}", name, err)
	}
	parse := func(raw json.RawMessage, rfc string) (time.Time, error) {
		if rfc != "" {
			return time.Parse(time.RFC3339Nano, rfc)
		}
		var f float64
		if err := json.Unmarshal(raw, &f); err == nil {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, fmt.Errorf("want epoch seconds or an RFC 3339 string, got %s", raw)
		}
		return time.Parse(time.RFC3339Nano, s)
	}
	var out []Attack
	for i, at := range doc.Attacks {
		start, err := parse(at.Start, at.StartRFC)
		if err != nil {
			return nil, fmt.Errorf("%s: attack %d: start: %w", name, i, err)
		}
		end, err := parse(at.End, at.EndRFC)
		if err != nil {
			return nil, fmt.Errorf("%s: attack %d: end: %w", name, i, err)
		}
		if end.Before(start) {
			return nil, fmt.Errorf("%s: attack %d ends before it starts", name, i)
		}
		out = append(out, Attack{ID: at.ID, Type: at.Type, Path: at.Path, Start: start, End: end})
	}
	return out, nil
}

// attackedIn reports whether [start, end) overlaps an attack of truth.
func attackedIn(truth []Attack, start, end time.Time) bool {
	for _, at := range truth {
		if at.Start.Before(end) && !at.End.Before(start) {
			return true
		}
	}
	return false
}
