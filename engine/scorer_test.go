package engine_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
)

// TestScorerEqualsRun: scoring a capture's windows through the public
// seam (NewScorer, Featurize, Stream.Score) gives what Run gives with the
// same model, window for window: scores, alerts, contributions, flagged
// edges and the rest of the result.
func TestScorerEqualsRun(t *testing.T) {
	m := benignModel(t)
	for _, name := range []string{"direct-exfil", "new-service"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(scenarios, name)
			capturePath, entitiesPath := filepath.Join(dir, "capture.pcapng.gz"), filepath.Join(dir, "entities.jsonl")
			sc, got, err := scoreCapture(m, capturePath, entitiesPath)
			if err != nil {
				t.Fatal(err)
			}
			opts := engine.DefaultOptions()
			opts.Baseline = engine.BaselineModel(m)
			res, err := engine.Run(context.Background(), engine.Inputs{Capture: engine.FileSource(capturePath), Entities: engine.FileSource(entitiesPath)}, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Series) != len(got) {
				t.Fatalf("%d series from the scorer, %d from Run", len(got), len(res.Series))
			}
			alerts := 0
			for si, s := range res.Series {
				if sc.Threshold(si) != s.Threshold {
					t.Errorf("%v: threshold %v from the scorer, %v from Run", s.Size, sc.Threshold(si), s.Threshold)
				}
				if len(got[si]) != len(s.Windows) {
					t.Fatalf("%v: %d windows from the scorer, %d from Run", s.Size, len(got[si]), len(s.Windows))
				}
				for i := range s.Windows {
					a, b := &got[si][i], &s.Windows[i]
					if a.Alert(sc.Threshold(si)) {
						alerts++
					}
					if !sameValue(reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()) {
						t.Errorf("%v window %d: scorer %v (alert %v, %d flagged edges), Run %v (alert %v, %d flagged edges)", s.Size, b.Index,
							a.Score, a.Alert(sc.Threshold(si)), len(a.Flagged), b.Score, b.Alert(s.Threshold), len(b.Flagged))
					}
				}
			}
			// The attack alerts (7 + 2 windows, README's scenario table); the
			// release is learned, not alarmed.
			if want := map[string]int{"direct-exfil": 9, "new-service": 0}[name]; alerts != want {
				t.Errorf("%d windows alert, want %d", alerts, want)
			}
		})
	}
}

// benignModel is the model trained on the benign scenario; it skips
// under -short.
func benignModel(t *testing.T) *engine.Model {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: training the benign model takes seconds")
	}
	m, err := trainedOnBenign()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sameValue is reflect.DeepEqual with NaN equal to NaN (an Ide score
// without history, an undefined feature value).
func sameValue(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if !b.MapIndex(k).IsValid() || !sameValue(a.MapIndex(k), b.MapIndex(k)) {
				return false
			}
		}
		return true
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.String:
		return a.String() == b.String()
	}
	panic("sameValue: no comparison for " + a.Type().String())
}

// TestNewScorerRefuses: what the scorer cannot score with is a clear
// error, a setting error where a setting would fix it.
func TestNewScorerRefuses(t *testing.T) {
	m := benignModel(t)
	log, err := entities.Load(filepath.Join(scenarios, "benign", "entities.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := entities.Build(log, entities.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Unix(1795530433, 0)
	thirty := engine.DefaultOptions()
	thirty.Sizes = []time.Duration{30 * time.Second}
	for _, tc := range []struct {
		name    string
		m       *engine.Model
		tl      *entities.Timeline
		opts    engine.Options
		setting engine.Setting // SettingNone: not a setting error
	}{
		{"no model", nil, tl, engine.DefaultOptions(), engine.SettingModel},
		{"no timeline", m, nil, engine.DefaultOptions(), engine.SettingNone},
		{"a size the model lacks", m, tl, thirty, engine.SettingWindow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := engine.NewScorer(tc.m, tc.tl, start, tc.opts)
			var se *engine.SettingError
			switch {
			case err == nil:
				t.Fatal("no error")
			case tc.setting == engine.SettingNone && errors.As(err, &se):
				t.Errorf("%v: a setting error (%v)", err, se.Setting)
			case tc.setting != engine.SettingNone && (!errors.As(err, &se) || se.Setting != tc.setting):
				t.Errorf("%v: want a setting error for %v", err, tc.setting)
			}
		})
	}
}
