package engine_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/loaders/capture"
	"github.com/mimir-tui/mimir-tui/loaders/entities"
	"github.com/mimir-tui/mimir-tui/loaders/traffic"
)

const scenarios = "../testdata/scenarios"

var benign struct {
	once  sync.Once
	model *engine.Model
	err   error
}

// trainedOnBenign trains a model on the benign scenario capture, as
// `mimir-tui train` does: every complete window is the baseline.
func trainedOnBenign() (*engine.Model, error) {
	benign.once.Do(func() {
		dir := filepath.Join(scenarios, "benign")
		in := engine.Inputs{
			Capture:  engine.FileSource(filepath.Join(dir, "capture.pcapng.gz")),
			Entities: engine.FileSource(filepath.Join(dir, "entities.jsonl")),
		}
		opts := engine.DefaultOptions()
		opts.Baseline = engine.BaselineAll()
		opts.Sensitive = []string{"shop-db"}
		res, err := engine.Run(context.Background(), in, opts, nil)
		if err == nil {
			benign.model = res.Model
		}
		benign.err = err
	})
	return benign.model, benign.err
}

// scoreCapture scores every window of a capture with the model m: the
// capture's packets are aggregated into windows, each window resolved
// against the entity timeline and featurised, and scored in the order it
// was sealed.
func scoreCapture(m *engine.Model, capturePath, entitiesPath string) (*engine.Scorer, [][]engine.WindowResult, error) {
	rd, err := capture.Open(capturePath)
	if err != nil {
		return nil, nil, err
	}
	defer rd.Close()
	var pkt capture.Packet
	if err := rd.Next(&pkt); err != nil {
		return nil, nil, err
	}
	log, err := entities.Load(entitiesPath)
	if err != nil {
		return nil, nil, err
	}
	// Windows are anchored at the first packet; a relative entity log too.
	tl, err := entities.Build(log, entities.Options{Start: pkt.Timestamp})
	if err != nil {
		return nil, nil, err
	}
	sc, err := engine.NewScorer(m, tl, time.Unix(0, pkt.Timestamp), engine.DefaultOptions())
	if err != nil {
		return nil, nil, err
	}
	agg, st := sc.Aggregator(), sc.NewStream()
	results := make([][]engine.WindowResult, len(sc.Sizes()))
	last := pkt.Timestamp
	score := func(size int, w *traffic.Window) {
		results[size] = append(results[size], st.Score(sc.Featurize(size, w, last)))
	}
	for err == nil {
		agg.Add(&pkt)
		last = max(last, pkt.Timestamp)
		agg.Drain(score)
		err = rd.Next(&pkt)
	}
	if err != io.EOF {
		return nil, nil, err
	}
	agg.Finish(score)
	return sc, results, nil
}

// A model trained on a benign capture scores a capture of the same
// application with a minute of exfiltration from the database to the
// outside (ground_truth.json): the seven 10 s windows and the two 60 s
// windows it overlaps alert, and no other.
func ExampleNewScorer() {
	m, err := trainedOnBenign()
	if err != nil {
		fmt.Println(err)
		return
	}
	dir := filepath.Join(scenarios, "direct-exfil")
	sc, results, err := scoreCapture(m, filepath.Join(dir, "capture.pcapng.gz"), filepath.Join(dir, "entities.jsonl"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for si, size := range sc.Sizes() {
		var alerts []int
		for _, w := range results[si] {
			if w.Alert(sc.Threshold(si)) {
				alerts = append(alerts, w.Index)
			}
		}
		fmt.Printf("%v windows: %d, alerting: %v\n", size, len(results[si]), alerts)
	}
	// Output:
	// 10s windows: 24, alerting: [9 10 11 12 13 14 15]
	// 1m0s windows: 4, alerting: [1 2]
}
