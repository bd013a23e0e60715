package engine

import (
	"bytes"
	"testing"
)

// FuzzReadModel: any bytes give a model or an error, never a panic.
func FuzzReadModel(f *testing.F) {
	f.Add([]byte(`{"kind":"mimir-tui-model","version":1,"services":["a","outside"],"sizes":[{"size_s":10,"features":["x"],"scaler":{"median":[0],"iqr":[1]},"lasso":{"intercept":0,"coef":[1]}}]}`))
	f.Add([]byte(`{"kind":"mimir-tui-model","version":1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"sizes":[{"size_s":-1}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadModel(bytes.NewReader(b))
		if err == nil && (m == nil || m.validate() != nil) {
			t.Fatalf("accepted an invalid model: %+v", m)
		}
	})
}

// FuzzReadGroundTruth: any bytes give attacks or an error, never a panic.
func FuzzReadGroundTruth(f *testing.F) {
	f.Add([]byte(`{"attacks":[{"id":"A1","start":1795523298.629602,"end":1795523359.4640906}]}`))
	f.Add([]byte(`{"attacks":[{"start_rfc3339":"2026-11-24T12:28:18.629601955Z","end_rfc3339":"2026-11-24T12:29:19Z"}]}`))
	f.Add([]byte(`{"attacks":[{"start":"x","end":1}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		atts, err := ReadGroundTruth(bytes.NewReader(b), "fuzz.json")
		for _, a := range atts {
			if err == nil && a.End.Before(a.Start) {
				t.Fatalf("accepted an attack that ends before it starts: %+v", a)
			}
		}
	})
}
