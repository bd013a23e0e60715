package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is the release version when a build sets it with
// -ldflags "-X main.version=v1.2.3"; it takes precedence over the module
// version the go command records.
var version = ""

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "usage: mimir-tui version (or mimir-tui --version)\n\nPrints the version, the commit it was built from and the Go version.", stderr)
	if _, err := parsePositionals(fs, args, ""); err != nil {
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	_, err := io.WriteString(stdout, versionText(version, bi))
	return err
}

// versionText formats what the build recorded: the version (override, else
// the module's), the commit with "+dirty" when the tree had uncommitted
// changes and the commit's time, and the Go version. bi may be nil.
func versionText(override string, bi *debug.BuildInfo) string {
	if bi == nil {
		bi = &debug.BuildInfo{GoVersion: runtime.Version()}
	}
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	v := override
	if v == "" {
		v = bi.Main.Version
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "mimir-tui %s\n", v)
	if rev := set["vcs.revision"]; rev != "" {
		if set["vcs.modified"] == "true" {
			rev += "+dirty"
		}
		if t := set["vcs.time"]; t != "" {
			rev += " (" + t + ")"
		}
		fmt.Fprintf(&b, "commit %s\n", rev)
	} else {
		b.WriteString("commit unknown (built without version control information)\n")
	}
	b.WriteString("built with " + bi.GoVersion)
	if set["GOOS"] != "" {
		b.WriteString(" for " + set["GOOS"] + "/" + set["GOARCH"])
	}
	b.WriteString("\n")
	return b.String()
}
