package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/mimir-tui/mimir-tui/engine/lasso"
	"github.com/mimir-tui/mimir-tui/engine/safefile"
	"github.com/mimir-tui/mimir-tui/engine/stats"
)

// ModelVersion is the version of the model file format this build writes
// and reads. Version 2: the model sees a fixed list of inputs per window
// size (aggregates of the feature families), and the baseline statistics
// are kept only for the features the baseline observed.
const ModelVersion = 2

// modelKind marks a JSON file as a mimir-tui model.
const modelKind = "mimir-tui-model"

// Model is a trained model as stored by `mimir-tui train`: everything
// needed to score another capture of the same application. Training
// produces it; a Scorer scores windows with it.
type Model struct {
	Kind    string    `json:"kind"`
	Version int       `json:"version"`
	Created time.Time `json:"created"`
	Tool    string    `json:"tool"`
	// Trained describes the capture the model was trained on.
	Trained struct {
		Capture  string `json:"capture"`
		Entities string `json:"entities"`
		Windows  int    `json:"windows"`
	} `json:"trained"`

	// Revision counts the revisions of the model by analysts' verdicts
	// (0: as trained); Suppressions are the intervals judged false
	// positives whose drivers were folded into the baseline (fold.go).
	Revision     int           `json:"revision"`
	Suppressions []Suppression `json:"suppressions,omitempty"`

	Services    []string `json:"services"` // scored services, with outside
	Sensitive   []string `json:"sensitive"`
	DNSServices []string `json:"dns_services"`
	// Allowlist holds the service pairs ("a -> b") seen in the baseline.
	Allowlist []string `json:"allowlist"`
	// Initiated holds the service pairs along which the baseline saw
	// connections opened.
	Initiated []string `json:"initiated"`
	// Beacons are the periodic connections to outside the baseline
	// showed ("service -> address proto/port"), which do not alert.
	Beacons []string `json:"beacons"`
	// Domains holds the registered DNS domains queried in the baseline.
	Domains []string `json:"domains"`
	// Ports holds the ports connections were opened to along each
	// service pair in the baseline ("a -> b tcp/8080").
	Ports      []string  `json:"ports"`
	IdeHistory int       `json:"ide_history"`
	Seed       int64     `json:"seed"`
	Rates      []float64 `json:"rates"`
	Templates  []string  `json:"templates"`

	Sizes []SizeModel `json:"sizes"`
}

// SizeModel is the model of one window size.
type SizeModel struct {
	SizeSeconds float64 `json:"size_s"`
	// Inputs are the columns the LASSO sees, in order.
	Inputs []string `json:"inputs"`
	// InputMedians are the inputs' medians over the baseline windows
	// (cross-fitted), for display.
	InputMedians []float64 `json:"input_medians"`
	// Baseline holds the median and IQR of every feature the baseline
	// observed (after its family's transform).
	Baseline []FeatureStat `json:"baseline"`
	Lasso    *lasso.Model  `json:"lasso"`
	// Threshold is the alert threshold in force by default, chosen as
	// ThresholdBasis says: for DefaultFalseAlarms a day from BenignTail,
	// or F1Threshold when the baseline was too short to fit the tail.
	Threshold      float64 `json:"threshold"`
	ThresholdBasis string  `json:"threshold_basis"`
	// F1Threshold maximises F1 on the synthetic injections (method.md §6).
	F1Threshold float64 `json:"f1_threshold"`
	// BenignTail holds the cross-fitted scores of the baseline windows and
	// their fitted upper tail: the false alarms a threshold costs.
	BenignTail *stats.Tail `json:"benign_tail,omitempty"`
	// IdeThreshold is the Ide & Kashima score threshold chosen likewise
	// (NaN, stored as null, when the baseline was too short to score Ide).
	IdeThreshold    Float           `json:"ide_threshold"`
	BaselineWindows int             `json:"baseline_windows"`
	Training        TrainingSummary `json:"training"`
}

// FeatureStat is one feature's baseline statistics in a model file.
type FeatureStat struct {
	Family string  `json:"family"`
	A      string  `json:"a,omitempty"`
	B      string  `json:"b,omitempty"`
	Median float64 `json:"median"`
	IQR    float64 `json:"iqr"`
}

// TrainingSummary reports how the model fits its own training data.
type TrainingSummary struct {
	Rows     int     `json:"rows"`
	Attacked int     `json:"attacked"`
	F1       Float   `json:"f1"`
	AUC      Float   `json:"auc"`
	IdeAUC   Float   `json:"ide_auc"`
	Alpha    float64 `json:"alpha"`
	NonZero  int     `json:"nonzero_weights"`
}

// Float is a float64 that JSON encodes NaN as null (and null as NaN):
// "not defined" is a normal outcome of some measures.
type Float float64

func (f Float) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	var x float64
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*f = Float(x)
	return nil
}

// Size returns the window size of sm.
func (sm *SizeModel) Size() time.Duration {
	return time.Duration(sm.SizeSeconds * float64(time.Second))
}

// WriteModel writes m to path atomically (temporary file and rename); an
// existing file is replaced only with overwrite, else the error wraps
// os.ErrExist.
func WriteModel(path string, m *Model, overwrite bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // service pairs read "a -> b"
	enc.SetIndent("", " ")
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	return safefile.Write(path, buf.Bytes(), overwrite)
}

// LoadModel reads and validates a model file.
func LoadModel(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	defer f.Close()
	m, err := ReadModel(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ReadModel decodes and validates a model.
func ReadModel(r io.Reader) (*Model, error) {
	var m Model
	dec := json.NewDecoder(io.LimitReader(r, 256<<20))
	if err := dec.Decode(&m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not a valid model file: JSON syntax error at byte %d: %w; write a new one with 'mimir-tui train'", se.Offset, err)
		}
		return nil, fmt.Errorf("not a valid model file: %w; write a new one with 'mimir-tui train'", err)
	}
	if m.Kind != modelKind {
		return nil, fmt.Errorf("not a mimir-tui model (kind %q, want %q); write one with 'mimir-tui train'", m.Kind, modelKind)
	}
	if m.Version != ModelVersion {
		return nil, fmt.Errorf("model version %d, this build reads version %d: retrain it with this build ('mimir-tui train')", m.Version, ModelVersion)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("damaged model: %w; retrain it with 'mimir-tui train'", err)
	}
	return &m, nil
}

func (m *Model) validate() error {
	if len(m.Services) == 0 || len(m.Sizes) == 0 {
		return errors.New("no services or no window sizes")
	}
	for i := range m.Sizes {
		sm := &m.Sizes[i]
		if !(sm.SizeSeconds > 0) {
			return fmt.Errorf("size %d: window size %g s", i, sm.SizeSeconds)
		}
		if sm.Lasso == nil {
			return fmt.Errorf("size %gs: missing weights", sm.SizeSeconds)
		}
		if err := sm.Lasso.Validate(); err != nil {
			return fmt.Errorf("size %gs: %w", sm.SizeSeconds, err)
		}
		if len(sm.Lasso.Coef) != len(sm.Inputs) || len(sm.InputMedians) != len(sm.Inputs) {
			return fmt.Errorf("size %gs: %d weights and %d medians for %d inputs", sm.SizeSeconds, len(sm.Lasso.Coef), len(sm.InputMedians), len(sm.Inputs))
		}
		for _, st := range sm.Baseline {
			if _, err := parseFeatureKey(st.Family, st.A, st.B); err != nil {
				return fmt.Errorf("size %gs: %w", sm.SizeSeconds, err)
			}
			if math.IsNaN(st.Median) || math.IsInf(st.Median, 0) || !(st.IQR > 0) || math.IsInf(st.IQR, 0) {
				return fmt.Errorf("size %gs: feature %s has median %v and IQR %v", sm.SizeSeconds, st.Family, st.Median, st.IQR)
			}
		}
	}
	return nil
}
