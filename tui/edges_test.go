package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"github.com/mimir-tui/mimir-tui/engine"
	"github.com/mimir-tui/mimir-tui/themes"
)

func edgeNames(es []engine.FlaggedEdge) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Src+">"+e.Dst)
	}
	return strings.Join(out, " ")
}

func TestSortEdges(t *testing.T) {
	es := []engine.FlaggedEdge{
		{Src: "b", Dst: "x", Weight: 1, Bytes: 300, Baseline: 5},
		{Src: "a", Dst: "y", Weight: 3, Bytes: 100, Baseline: 50},
		{Src: "c", Dst: "z", Weight: 2, Bytes: 200, Baseline: 0},
	}
	for _, tc := range []struct {
		col  sortColumn
		want string
	}{
		{sortWeight, "a>y c>z b>x"},   // 3, 2, 1
		{sortBytes, "b>x c>z a>y"},    // 300, 200, 100
		{sortBaseline, "a>y b>x c>z"}, // 50, 5, 0
		{sortEdge, "a>y b>x c>z"},     // alphabetical
	} {
		if got := edgeNames(sortEdges(es, tc.col)); got != tc.want {
			t.Errorf("sort by %v = %s, want %s", tc.col, got, tc.want)
		}
	}
	if edgeNames(es) != "b>x a>y c>z" {
		t.Error("sortEdges changed its input")
	}
}

func TestMatchEdge(t *testing.T) {
	e := engine.FlaggedEdge{Src: "shop-db", Dst: "outside", SrcPods: []string{"shop-db-0"},
		SrcIPs: []string{"10.244.0.9"}, DstIPs: []string{"203.0.113.10"},
		Reasons: []engine.Reason{{Code: "sensitive-outside", Text: "sends 79.1 kB outside"}}}
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{"", true}, {"DB -> OUT", true}, {"203.0.113", true}, {"shop-db-0", true},
		{"sensitive", true}, {"79.1 kB", true}, {"catalogue", false}, {"  ", true},
	} {
		if got := matchEdge(e, tc.filter); got != tc.want {
			t.Errorf("matchEdge(%q) = %v, want %v", tc.filter, got, tc.want)
		}
	}
}

func TestEdgesPaneKeys(t *testing.T) {
	// At 10 s window 16 the demo run flags four edges; s cycles the sort,
	// / filters, esc clears, ↓ moves the › marker, enter drills in.
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	keys(m, "n", "l", "l", "l")
	if !strings.Contains(plain(m), "4 of 4 · sort weight ↓") {
		t.Fatalf("expected 4 flagged edges sorted by weight:\n%s", plain(m))
	}
	keys(m, "s")
	if !strings.Contains(plain(m), "sort bytes ↓") {
		t.Error("s did not sort by bytes")
	}
	if got := m.edges.list.row(0).value.(engine.FlaggedEdge); got.Src != "shop-db" || got.Dst != "outside" {
		t.Errorf("largest edge by bytes = %s -> %s, want shop-db -> outside (74.3 kB)", got.Src, got.Dst)
	}
	keys(m, "s", "s", "s")
	if !strings.Contains(plain(m), "sort weight ↓") {
		t.Error("four presses of s do not come back to weight")
	}
	keys(m, "F", "text:shop-db")
	s := plain(m)
	if !strings.Contains(s, "2 of 4") {
		t.Errorf("filter shop-db: want 2 of 4 edges:\n%s", s)
	}
	keys(m, "enter") // keep the filter
	keys(m, "down")
	if e, _ := m.edges.selected(); e.Src != "outside" || e.Dst != "shop-db" {
		t.Errorf("second filtered edge = %s -> %s, want outside -> shop-db", e.Src, e.Dst)
	}
	if !regexp.MustCompile(`›\s*outside -> shop-db`).MatchString(plain(m)) {
		t.Errorf("the › marker does not follow the selection:\n%s", plain(m))
	}
	keys(m, "enter")
	if _, ok := m.top().(*drillPane); !ok || !strings.Contains(plain(m), "edge outside -> shop-db") {
		t.Fatalf("enter did not open the edge:\n%s", plain(m))
	}
	// The drill-down follows the cursor: window 17 flags the edge too,
	// window 20, after the exfiltration, does not.
	keys(m, "l")
	if !strings.Contains(plain(m), "window 17: ") {
		t.Errorf("drill-down did not follow the cursor to window 17:\n%s", plain(m))
	}
	keys(m, "l", "l", "l")
	if !strings.Contains(plain(m), "window 20: ") || !strings.Contains(plain(m), "not flagged") {
		t.Errorf("drill-down at unflagged window 20:\n%s", plain(m))
	}
	keys(m, "h", "h", "h", "h")
	keys(m, "esc")
	keys(m, "esc") // clears the filter
	if !strings.Contains(plain(m), "4 of 4") {
		t.Errorf("esc did not clear the filter:\n%s", plain(m))
	}
}

// TestNoColor: with NO_COLOR the screen carries no colour at all, even on
// a true-colour terminal, and the theme key does not bring colour back.
func TestNoColor(t *testing.T) {
	cfg := testConfig(t)
	cfg.NoColor = true
	cfg.Theme = themes.ColorBlind()
	m := New(t.Context(), cfg)
	send(m, sizeMsg(120, 40))
	feedRec(m, demo())
	keys(m, "n", "c")
	out := screen(m, colorprofile.TrueColor)
	// SGR colour parameters: 30-37, 38, 40-47, 48, 90-97, 100-107.
	colour := regexp.MustCompile(`\x1b\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m`)
	if loc := colour.FindStringIndex(out); loc != nil {
		t.Errorf("colour escape %q in a NO_COLOR screen", out[loc[0]:loc[1]])
	}
	if !strings.Contains(plain(m), "NO_COLOR is set") {
		t.Error("the theme key does not say colours stay off")
	}
	// Meaning survives without colour: alert glyphs and text markers.
	for _, want := range []string{"▲ ALERT", "▲▲▲", "░░░", "[NEW] [OUT]", "›"} {
		if !strings.Contains(plain(m), want) {
			t.Errorf("mono screen lacks %q", want)
		}
	}
}

func TestThemeCycle(t *testing.T) {
	m := newTestModel(t, 80, 24)
	feedRec(m, demo())
	before := screen(m, colorprofile.TrueColor)
	keys(m, "c")
	if m.sh.styles.Theme.Name != "light" || !strings.Contains(plain(m), "theme light") {
		t.Fatalf("c: theme %s", m.sh.styles.Theme.Name)
	}
	if screen(m, colorprofile.TrueColor) == before {
		t.Error("the screen did not change colour with the theme")
	}
	keys(m, "c", "c", "c")
	if m.sh.styles.Theme.Name != "dark" {
		t.Errorf("four presses: theme %s, want dark again", m.sh.styles.Theme.Name)
	}
}

func TestMetricsAndFeature(t *testing.T) {
	m := newTestModel(t, 120, 40)
	feedRec(m, demo())
	for _, want := range []string{"Ide score", "bytes", "packets", "score"} {
		keys(m, "m")
		if !strings.HasPrefix(strings.Split(plain(m), "\n")[3], want) {
			t.Errorf("after m: chart title %q, want %s", strings.Split(plain(m), "\n")[3], want)
		}
	}
	keys(m, "f", "text:fanout", "enter")
	if title := strings.Split(plain(m), "\n")[3]; !strings.HasPrefix(title, "feature max_z[fanout]") {
		t.Errorf("picked feature: title %q", title)
	}
	// From the feature, m cycles to score, then Ide.
	keys(m, "w", "m", "m")
	if title := strings.Split(plain(m), "\n")[3]; !strings.HasPrefix(title, "Ide score") {
		t.Fatalf("title %q", title)
	}
}
