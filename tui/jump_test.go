package tui

import (
	"strings"
	"testing"
	"time"
)

// TestParseJump: the go-to prompt on the demo's span (first window at
// 12:25:59.817 UTC, 24 windows of 10 s, so up to 12:29:59.817).
func TestParseJump(t *testing.T) {
	sp := jumpSpan{start: time.Date(2026, 11, 24, 12, 25, 59, 817115298, time.UTC), size: 10 * time.Second, n: 24}
	for _, tc := range []struct {
		in   string
		want int
		err  string // part of the error, "" for none
	}{
		{"13", 13, ""},
		{" 0 ", 0, ""},
		{"24", 0, "numbered 0 to 23"},
		{"+2:10", 13, ""},       // 130 s after the start
		{"+0:00", 0, ""},        //
		{"+3m10s", 19, ""},      // 190 s
		{"+190s", 19, ""},       //
		{"+0:03:10", 19, ""},    // h:mm:ss
		{"+4:00", 0, "outside"}, // the end is excluded
		{"12:28:09", 12, ""},    // 12:28:09 is 0.8 s before window 13 starts
		{"12:28:10", 13, ""},    //
		{"12:29:40", 22, ""},    // the README's example
		{"12:25:59", 0, ""},     // the start as the screen shows it
		{"12:29", 18, ""},       // 12:29:00 is 180.2 s after the start
		{"11:00:00", 0, "outside"},
		{"2026-11-24T12:28:10Z", 13, ""},
		{"2026-11-24T13:28:10+01:00", 13, ""}, // RFC 3339 with an offset
		{"2026-11-24 12:28:10", 13, ""},
		{"2026-11-25T12:28:10Z", 0, "outside"},
		{"yesterday", 0, "not a time"},
		{"+x", 0, "an offset is"},
		{"+9:99", 0, "seconds 99: seconds are 0 to 59"},
		{"+3:60", 0, "seconds 60: seconds are 0 to 59"},
		{"+3:59.5", 23, ""},      // 239.5 s
		{"+90:00", 0, "outside"}, // 90 minutes: the first field is not limited
		{"+0:60:00", 0, "minutes 60: minutes are 0 to 59"},
		{"+1:02:99", 0, "seconds 99"},
		{"+100", 10, ""}, // 100 s
		{"", 0, "type a time"},
	} {
		got, err := parseJump(tc.in, sp)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("parseJump(%q): %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseJump(%q) = %d, %v; want an error with %q", tc.in, got, err, tc.err)
		case tc.err == "" && got != tc.want:
			t.Errorf("parseJump(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
	if _, err := parseJump("5", jumpSpan{}); err == nil || !strings.Contains(err.Error(), "no window") {
		t.Errorf("before any window: %v", err)
	}
}

// TestParseJumpAcrossMidnight: a time of day earlier than the start is the
// next day's.
func TestParseJumpAcrossMidnight(t *testing.T) {
	sp := jumpSpan{start: time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC), size: time.Minute, n: 10}
	if got, err := parseJump("00:03:30", sp); err != nil || got != 4 {
		t.Errorf("00:03:30 = %d, %v; want window 4 of the next day", got, err)
	}
}
