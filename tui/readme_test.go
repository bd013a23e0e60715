package tui

import (
	"os"
	"strings"
	"testing"

	"github.com/mimir-tui/mimir-tui/themes"
)

// readmeSection is the README's section from the heading start to the next
// heading of the same level.
func readmeSection(t *testing.T, start string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("README has no %q", start)
	}
	s = s[i+len(start):]
	level := strings.Repeat("#", strings.Count(strings.Fields(start)[0], "#"))
	if j := strings.Index(s, "\n"+level+" "); j >= 0 {
		s = s[:j]
	}
	return s
}

// readmeKeys are how the README's key table writes key names.
var readmeKeys = map[string]string{
	"left": "`←`", "right": "`→`", "up": "`↑`", "down": "`↓`", "shift+left": "`⇧←`", "shift+right": "`⇧→`",
	"pgup": "`PgUp`", "pgdown": "`PgDn`", "home": "`Home`", "end": "`End`", "enter": "`⏎`", "esc": "`esc`",
	"tab": "`tab`", "shift+tab": "`⇧tab`", "space": "`space`", "ctrl+c": "`ctrl+c`", "wheel/click": "mouse wheel, click",
}

// TestReadmeKeyTable: the README's key table lists every key of the key
// map; its sort orders are the explorer's; its themes are themes.Names().
func TestReadmeKeyTable(t *testing.T) {
	table := readmeSection(t, "### Keys")
	for _, group := range DefaultKeyMap().FullHelp() {
		for _, b := range group {
			for _, k := range b.Keys() {
				want := "`" + k + "`"
				if w, ok := readmeKeys[k]; ok {
					want = w
				}
				if len(k) == 1 && k >= "0" && k <= "9" {
					want = "`0`–`9`"
				}
				if !strings.Contains(table, want) {
					t.Errorf("the README's key table lacks %s (%s)", want, b.Help().Desc)
				}
			}
		}
	}
	if want := strings.Join(sortNames[:], " → "); !strings.Contains(table, want) {
		t.Errorf("the README's key table does not name the sort orders %q", want)
	}
	var alerts []string
	for s := range numAlertSorts {
		alerts = append(alerts, strings.Fields(s.String())[0])
	}
	if want := strings.Join(alerts, " → "); !strings.Contains(table, want) {
		t.Errorf("the README's key table does not name the alerts list's orders %q", want)
	}
	if want := "--theme " + strings.Join(themes.Names(), "|"); !strings.Contains(table, want) {
		t.Errorf("the README does not list the themes as %q", want)
	}
}
