package main

import (
	"os"
	"strings"
)

// unknownCommand returns a usage error suggesting the nearest command when
// arg looks like a mistyped command name: it is no flag, no existing path
// (mimir-tui CAPTURE ENTITIES takes a file first) and within a small edit
// distance of a command. Otherwise it returns nil and arg is taken as a
// file.
func unknownCommand(arg string) error {
	if arg == "" || strings.HasPrefix(arg, "-") || strings.ContainsAny(arg, `/\.`) {
		return nil
	}
	if _, err := os.Lstat(arg); err == nil {
		return nil
	}
	best, bestD := "", 0
	for _, c := range commands() {
		d := editDistance(strings.ToLower(arg), c.name)
		if best == "" || d < bestD {
			best, bestD = c.name, d
		}
	}
	// One edit per four letters, at most two: "analyse", "evalute", "trian".
	if bestD > min(2, max(1, len(best)/4)) {
		return nil
	}
	return usagef("unknown command %q; did you mean %q? (see 'mimir-tui -h')", arg, best)
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent letters each
// cost one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
