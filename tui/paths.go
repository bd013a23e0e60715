package tui

import (
	"path/filepath"
	"strings"
)

// homeRelative writes a path under home as ~/….
func homeRelative(path, home string) string {
	if home == "" {
		return path
	}
	if rel, err := filepath.Rel(home, path); err == nil && filepath.IsAbs(path) && !strings.HasPrefix(rel, "..") {
		return filepath.Join("~", rel)
	}
	return path
}

// shortenPaths shortens paths to fit room cells joined by " + ": leading
// directories give way to "…/", the longest first, but never so far that
// two different paths read the same (two captures named capture.pcapng
// keep the directories that tell them apart).
func shortenPaths(paths []string, room int) []string {
	parts := make([][]string, len(paths))
	keep := make([]int, len(paths)) // trailing components kept
	for i, p := range paths {
		parts[i] = strings.Split(filepath.ToSlash(p), "/")
		keep[i] = len(parts[i])
	}
	show := func(i, k int) string {
		if k >= len(parts[i]) {
			return paths[i]
		}
		return "…/" + strings.Join(parts[i][len(parts[i])-k:], "/")
	}
	out := func() []string {
		s := make([]string, len(paths))
		for i := range paths {
			s[i] = show(i, keep[i])
		}
		return s
	}
	for width(out()) > room {
		best := -1
		for i := range paths {
			if keep[i] > 1 && distinct(paths, i, show(i, keep[i]-1), out()) && (best < 0 || len(show(i, keep[i])) > len(show(best, keep[best]))) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		keep[best]--
	}
	return out()
}

// distinct reports whether path i shown as s stays told apart from the
// others as they are shown.
func distinct(paths []string, i int, s string, shown []string) bool {
	for j := range paths {
		if j != i && paths[j] != paths[i] && shown[j] == s {
			return false
		}
	}
	return true
}

func width(ss []string) int {
	n := 3 * max(len(ss)-1, 0)
	for _, s := range ss {
		n += len([]rune(s))
	}
	return n
}
