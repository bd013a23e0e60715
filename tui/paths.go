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
			if keep[i] > 1 && distinct(parts, i, keep[i]-1) && (best < 0 || len(show(i, keep[i])) > len(show(best, keep[best]))) {
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

// distinct reports whether the last k components of path i tell it apart
// from every other path (however those are shortened).
func distinct(parts [][]string, i, k int) bool {
	tail := func(p []string) string { return strings.Join(p[max(len(p)-k, 0):], "/") }
	for j := range parts {
		if j != i && strings.Join(parts[j], "/") != strings.Join(parts[i], "/") && tail(parts[j]) == tail(parts[i]) {
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
