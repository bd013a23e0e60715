package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole run to the file named by
// MIMIR_TUI_CPUPROFILE, for `go tool pprof` (README, Development); it
// returns the function that stops it. Without the variable it does nothing.
func startProfile(stderr io.Writer) func() {
	path := os.Getenv("MIMIR_TUI_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "mimir-tui: MIMIR_TUI_CPUPROFILE: %v; running without a profile\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintf(stderr, "mimir-tui: MIMIR_TUI_CPUPROFILE: %v; running without a profile\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
