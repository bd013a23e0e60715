package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"github.com/mimir-tui/mimir-tui/loaders/units"
)

// defaultMemoryShare is the share of the machine's memory a run may use
// by default: the rest is the system's and the user's other programs'.
const defaultMemoryShare = 0.75

// fallbackMemory is assumed when the machine's memory cannot be read.
const fallbackMemory = 8 << 30

// parseMemoryLimit reads --memory-limit: "75%" of the machine's memory,
// a size such as "4GB", "512MiB" or "2000000000", or "0" for no limit.
func parseMemoryLimit(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(pct, 64)
		if err != nil || !(f > 0 && f <= 100) {
			return 0, usagef("--memory-limit %q: a share must be a percentage between 0 and 100, e.g. 75%%", s)
		}
		return uint64(f / 100 * float64(machineMemory())), nil
	}
	n, err := units.ParseBytes(s)
	if err != nil {
		return 0, usagef("--memory-limit %q: want a size such as 4GB or 512MiB, a share such as 75%%, or 0 for none", s)
	}
	return n, nil
}

// machineMemory is the machine's total memory (Linux /proc/meminfo), or
// fallbackMemory when it cannot be read.
func machineMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return fallbackMemory
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil && kb > 0 {
				return kb << 10
			}
		}
	}
	return fallbackMemory
}
