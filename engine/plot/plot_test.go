package plot

import (
	"bytes"
	"errors"
	"image"
	_ "image/png"
	"math"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/engine/stats"
)

var (
	nan = math.NaN()
	inf = math.Inf(1)
)

// checkImage asserts that b is a valid image of the format and returns it
// as text for SVG (nil for PNG).
func checkImage(t *testing.T, b []byte, format string) string {
	t.Helper()
	if len(b) == 0 {
		t.Fatalf("%s output is empty", format)
	}
	switch format {
	case "png":
		img, kind, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("PNG output does not decode: %v", err)
		}
		if kind != "png" {
			t.Fatalf("decoded as %s, want png", kind)
		}
		if r := img.Bounds(); r.Dx() < 200 || r.Dy() < 200 {
			t.Errorf("PNG is %v, too small to read", r)
		}
		return ""
	case "svg":
		s := string(b)
		if !strings.HasPrefix(s, "<?xml") && !strings.HasPrefix(s, "<svg") {
			t.Fatalf("SVG output starts with %q", s[:min(40, len(s))])
		}
		if !strings.Contains(s, "</svg>") {
			t.Fatal("SVG output is not closed")
		}
		return s
	}
	t.Fatalf("unknown format %s", format)
	return ""
}

// pt is a ROC point with named fields, which vet wants for another
// package's struct.
func pt(fpr, tpr, th float64) stats.Point { return stats.Point{FPR: fpr, TPR: tpr, Threshold: th} }

func textbookCurve() Curve {
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	labels := []bool{false, false, true, true}
	return Curve{Name: "model", Points: stats.ROC(scores, labels), AUC: stats.AUC(scores, labels)}
}

func TestROCRenders(t *testing.T) {
	curves := []Curve{
		textbookCurve(),
		{Name: "ide", Points: []stats.Point{pt(0, 0, inf), pt(0.3, 0.6, 1), pt(1, 1, 0)}, AUC: 0.9345},
	}
	for _, format := range []string{"png", "svg", "SVG", ".png"} {
		var buf bytes.Buffer
		if err := ROC(&buf, format, "ROC, 10 s windows", curves); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		f := strings.ToLower(strings.TrimPrefix(format, "."))
		if s := checkImage(t, buf.Bytes(), f); f == "svg" {
			// The legend reads "name (AUC x.xx)".
			for _, want := range []string{"model (AUC 0.75)", "ide (AUC 0.93)", "chance (AUC 0.50)", "ROC, 10 s windows", "false-positive rate"} {
				if !strings.Contains(s, want) {
					t.Errorf("SVG lacks %q", want)
				}
			}
		}
	}
}

func TestROCDegenerate(t *testing.T) {
	tests := []struct {
		name   string
		curves []Curve
		legend string
	}{
		{"no curve", nil, "chance"},
		{"curve without points", []Curve{{Name: "empty", AUC: nan}}, "empty (AUC n/a)"},
		{"all NaN", []Curve{{Name: "nan", Points: []stats.Point{pt(nan, nan, 1), pt(nan, 0.5, 0)}, AUC: nan}}, "nan (AUC n/a)"},
		{"one point", []Curve{{Name: "one", Points: []stats.Point{pt(0.5, 0.5, 1)}, AUC: 0.5}}, "one (AUC 0.50)"},
		{"huge rates", []Curve{{Name: "huge", Points: []stats.Point{pt(1e308, -1e308, 1), pt(0.1, 0.9, 0)}, AUC: 0.5}}, "huge (AUC 0.50)"},
		{"infinite rates", []Curve{{Name: "inf", Points: []stats.Point{pt(inf, 1, 1), pt(0, -inf, 0), pt(0.2, 0.4, 0)}, AUC: inf}}, "inf (AUC n/a)"},
		{"ROC of undefined labels", []Curve{{Name: "nil", Points: stats.ROC([]float64{1, 2}, []bool{false, false}), AUC: stats.AUC([]float64{1, 2}, []bool{false, false})}}, "nil (AUC n/a)"},
	}
	for _, tt := range tests {
		for _, format := range []string{"png", "svg"} {
			var buf bytes.Buffer
			if err := ROC(&buf, format, "", tt.curves); err != nil {
				t.Errorf("%s %s: %v", tt.name, format, err)
				continue
			}
			if s := checkImage(t, buf.Bytes(), format); format == "svg" && !strings.Contains(s, tt.legend) {
				t.Errorf("%s: SVG lacks legend %q", tt.name, tt.legend)
			}
		}
	}
}

func TestScoresRenders(t *testing.T) {
	times := []float64{0, 10, 20, 30, 40, 50, 60, 70}
	series := []Series{
		{Name: "model 10 s", Values: []float64{0.1, 0.05, 0.2, 0.9, 1.1, 0.3, 0.1, 0.0}},
		{Name: "ide", Values: []float64{nan, nan, 0.3, 0.5, 0.8, 0.4, 0.2, 0.1}},
	}
	shaded := [][2]float64{{25, 45}}
	for _, format := range []string{"png", "svg"} {
		var buf bytes.Buffer
		if err := Scores(&buf, format, "scores", times, series, 0.5, shaded); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if s := checkImage(t, buf.Bytes(), format); format == "svg" {
			for _, want := range []string{"model 10 s", "ide", "threshold 0.5", "attack", "time (s)"} {
				if !strings.Contains(s, want) {
					t.Errorf("SVG lacks %q", want)
				}
			}
		}
	}
}

// countPaths counts the drawn paths of an SVG chart.
func countPaths(t *testing.T, times []float64, values []float64) int {
	t.Helper()
	var buf bytes.Buffer
	if err := Scores(&buf, "svg", "", times, []Series{{Name: "s", Values: values}}, nan, nil); err != nil {
		t.Fatal(err)
	}
	return strings.Count(buf.String(), "<path")
}

// A missing value breaks the line into two segments instead of joining
// its neighbours; an isolated value becomes a dot.
func TestScoresBreakAtNaN(t *testing.T) {
	times := []float64{0, 1, 2, 3, 4, 5}
	whole := countPaths(t, times, []float64{1, 2, 3, 4, 5, 6})
	broken := countPaths(t, times, []float64{1, 2, nan, 4, 5, 6})
	if broken != whole+1 {
		t.Errorf("a NaN in the middle gives %d paths, without it %d: want one more segment", broken, whole)
	}
	// An isolated value at 3 between two gaps: two segments and a dot.
	dotted := countPaths(t, times, []float64{1, 2, nan, 4, nan, 6})
	if dotted <= broken {
		t.Errorf("isolated values drew %d paths, want more than %d (dots)", dotted, broken)
	}
	// A NaN time also breaks the line.
	if got := countPaths(t, []float64{0, 1, nan, 3, 4, 5}, []float64{1, 2, 3, 4, 5, 6}); got != broken {
		t.Errorf("a NaN time gives %d paths, want %d like a NaN value", got, broken)
	}
}

func TestScoresDegenerate(t *testing.T) {
	tests := []struct {
		name      string
		times     []float64
		series    []Series
		threshold float64
		shaded    [][2]float64
	}{
		{"nothing", nil, nil, nan, nil},
		{"empty series", nil, []Series{{Name: "s"}}, 0.5, nil},
		{"all NaN", []float64{0, 1, 2}, []Series{{Name: "s", Values: []float64{nan, nan, nan}}}, nan, nil},
		{"one point", []float64{5}, []Series{{Name: "s", Values: []float64{0.7}}}, 0.5, [][2]float64{{4, 6}}},
		{"constant", []float64{0, 1, 2}, []Series{{Name: "s", Values: []float64{3, 3, 3}}}, 3, nil},
		{"infinite values and times", []float64{0, inf, 2, 3}, []Series{{Name: "s", Values: []float64{inf, 1, -inf, 2}}}, inf, nil},
		{"extreme values", []float64{0, 1, 2}, []Series{{Name: "s", Values: []float64{-1e308, 1e308, 1}}}, 1e300, nil},
		{"large but drawable", []float64{0, 1e99}, []Series{{Name: "s", Values: []float64{-1e100, 1e100}}}, 0, nil},
		{"tiny range", []float64{0, 1, 2}, []Series{{Name: "s", Values: []float64{1, 1 + 1e-15, 1 + 2e-15}}}, nan, nil},
		{"epoch times", []float64{1.7e9, 1.7e9 + 10, 1.7e9 + 20}, []Series{{Name: "s", Values: []float64{0, 1, 0.5}}}, 0.5, [][2]float64{{1.7e9 + 5, 1.7e9 + 15}}},
		{"bad intervals", []float64{0, 1, 2}, []Series{{Name: "s", Values: []float64{1, 2, 3}}}, 2, [][2]float64{{nan, 1}, {2, 1}, {1, inf}, {1, 1}, {-50, 0.5}, {100, 200}}},
		{"only intervals", nil, nil, nan, [][2]float64{{10, 20}}},
		{"no series", []float64{0, 1}, nil, 0.5, [][2]float64{{0.2, 0.4}}},
	}
	for _, tt := range tests {
		for _, format := range []string{"png", "svg"} {
			var buf bytes.Buffer
			if err := Scores(&buf, format, tt.name, tt.times, tt.series, tt.threshold, tt.shaded); err != nil {
				t.Errorf("%s %s: %v", tt.name, format, err)
				continue
			}
			checkImage(t, buf.Bytes(), format)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestErrors(t *testing.T) {
	err := Scores(&bytes.Buffer{}, "png", "", []float64{0, 1}, []Series{{Name: "short", Values: []float64{1}}}, 0, nil)
	if err == nil || !strings.Contains(err.Error(), `series "short" has 1 values for 2 times`) {
		t.Errorf("length mismatch: %v", err)
	}
	for _, f := range []string{"pdf", "", "jpeg"} {
		if err := ROC(&bytes.Buffer{}, f, "", nil); err == nil || !strings.Contains(err.Error(), "use png or svg") {
			t.Errorf("ROC format %q: %v", f, err)
		}
		if err := Scores(&bytes.Buffer{}, f, "", nil, nil, 0, nil); err == nil || !strings.Contains(err.Error(), "use png or svg") {
			t.Errorf("Scores format %q: %v", f, err)
		}
	}
	if err := ROC(failWriter{}, "png", "", nil); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failing writer: %v", err)
	}
}
