package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseErrors: an unknown flag or a bad value is a usage error (exit
// status 2) that names the flag and points at -h, and prints nothing else:
// not the whole flag list, which the flag package prints by default. -h
// still prints the flag list and exits 0.
func TestParseErrors(t *testing.T) {
	for _, c := range commands() {
		for _, args := range [][]string{{"--bogus"}, {"--bogus=1", "a", "b"}, {"a", "-o"}} {
			if c.name == "version" && len(args) > 1 {
				continue
			}
			var stdout, stderr bytes.Buffer
			err := c.run(t.Context(), args, &stdout, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("%s %q: error %v, want a usage error", c.name, args, err)
				continue
			}
			if want := "see 'mimir-tui " + c.name + " -h'"; !strings.Contains(err.Error(), want) {
				t.Errorf("%s %q: error %q does not say %q", c.name, args, err, want)
			}
			if stdout.Len()+stderr.Len() > 0 {
				t.Errorf("%s %q printed more than the error:\nstdout %q\nstderr %q", c.name, args, stdout.String(), stderr.String())
			}
			var msg bytes.Buffer
			if code := exitStatus(err, nil, &msg); code != 2 || strings.Count(msg.String(), "\n") != 1 {
				t.Errorf("%s %q: exit status %d, message %q; want 2 and one line", c.name, args, code, msg.String())
			}
		}
		var stdout, stderr bytes.Buffer
		err := c.run(t.Context(), []string{"-h"}, &stdout, &stderr)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "usage: mimir-tui") {
			t.Errorf("%s -h: error %v, output %q; want flag.ErrHelp and the usage", c.name, err, stderr.String())
		}
		if code := exitStatus(err, nil, &bytes.Buffer{}); code != 0 {
			t.Errorf("%s -h: exit status %d, want 0", c.name, code)
		}
	}
}

// TestBadValue: a value the flag package cannot parse names the flag.
func TestBadValue(t *testing.T) {
	var stderr bytes.Buffer
	err := runAnalyze(t.Context(), []string{"--workers", "many", benignCapture, benignEntities}, &stderr, &stderr)
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "-workers") || stderr.Len() > 0 {
		t.Errorf("error %v, output %q; want a usage error naming -workers and no output", err, stderr.String())
	}
}

// TestFlagLimits: values that parse but that the engine cannot use are
// refused, before any input is read, by every headless command that takes
// the analysis flags: a usage error (exit status 2) led by the flag, with
// the engine's reason. (The explorer gets the same error on its screen.)
func TestFlagLimits(t *testing.T) {
	cases := []struct{ flag, value string }{
		{"--threshold", "NaN"},
		{"--threshold", "Inf"},
		{"--threshold", "+Inf"},
		{"--threshold", "-Inf"},
		{"--threshold", "infinity"},
		{"--workers", "-1"},
		{"--ide-history", "1"},
		{"--ide-history", "0"},
		{"--ide-history", "-5"},
		{"--reorder-slack", "-1s"},
		{"--rates", "0"},
		{"--rates", "1,-0.1"},
	}
	model := filepath.Join(t.TempDir(), "m.json")
	// A capture that cannot be read: the refusal must come first.
	for _, cmd := range [][]string{{"analyze"}, {"train", "-o", model}, {"evaluate"}} {
		for _, c := range cases {
			args := append(append([]string{}, cmd...), c.flag, c.value, "/nonexistent/capture.pcap", benignEntities)
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), args, &stdout, &stderr)
			if !errors.Is(err, errUsage) || !strings.HasPrefix(err.Error(), c.flag+": ") {
				t.Errorf("%q: error %v; want a usage error led by %s", args, err, c.flag)
			}
			if code := exitStatus(err, nil, &bytes.Buffer{}); code != 2 {
				t.Errorf("%q: exit status %d, want 2", args, code)
			}
		}
	}
	if _, err := os.Stat(model); err == nil {
		t.Errorf("train wrote %s despite a refused flag", model)
	}
	// The limits themselves are accepted.
	args := []string{"--model", testModel(t), "--threshold", "-2.5", "--workers", "0", "--ide-history", "2", "--reorder-slack", "0s", benignCapture, benignEntities}
	if err := runAnalyze(t.Context(), args, io.Discard, io.Discard); err != nil {
		t.Errorf("%q: %v", args, err)
	}
}

// TestUnknownCommand: a word close to a command name is taken for a typo;
// an existing file of that name, a distant word or a flag is not.
func TestUnknownCommand(t *testing.T) {
	for _, c := range []struct{ arg, want string }{
		{"analyse", "analyze"},
		{"anlyze", "analyze"},
		{"evalute", "evaluate"},
		{"trian", "train"},
		{"chek", "check"},
		{"conversation", "conversations"},
		{"verison", "version"},
		{"Explore", "explore"},
	} {
		err := run(t.Context(), []string{c.arg, "x", "y"}, &bytes.Buffer{}, &bytes.Buffer{})
		want := `unknown command "` + c.arg + `"; did you mean "` + c.want + `"?`
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want a usage error saying %s", c.arg, err, want)
		}
	}
	t.Chdir(t.TempDir())
	if err := os.WriteFile("analyse", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"analyse", "foo", "x", "-x", "capture.pcap", "dir/analyse"} {
		err := run(t.Context(), []string{arg, "y"}, &bytes.Buffer{}, &bytes.Buffer{})
		if err != nil && strings.Contains(err.Error(), "did you mean") {
			t.Errorf("%s: %v; want no suggestion", arg, err)
		}
	}
}

// TestEditDistance: optimal string alignment distance. Expected values:
// kitten/sitting 3 (the classic Levenshtein example); ca/ac 1 and ca/abc 3
// (the example showing that OSA, unlike unrestricted Damerau-Levenshtein
// with 2, edits no substring twice), from Wikipedia,
// "Damerau–Levenshtein distance".
func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"kitten", "sitting", 3},
		{"ca", "ac", 1},
		{"ca", "abc", 3},
		{"", "abc", 3},
		{"abc", "", 3},
		{"analyse", "analyze", 1},
		{"trian", "train", 1},
		{"évalue", "evalue", 1},
	} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestRunVersionFlag: --version and the version command print the same.
func TestRunVersionFlag(t *testing.T) {
	var a, b bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, &a, &a); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"version"}, &b, &b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() || !strings.HasPrefix(a.String(), "mimir-tui ") {
		t.Errorf("--version %q, version %q", a.String(), b.String())
	}
}
