// Package units formats quantities the way every part of mimir-tui prints
// them: byte counts in SI units, as tshark's statistics do (1 kB = 1000 B).
package units

import (
	"fmt"
	"math"
)

// Bytes formats b with SI units: "512 B", "80.1 kB", "3.8 MB". NaN is "—".
func Bytes(b float64) string {
	if math.IsNaN(b) {
		return "—"
	}
	names := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	i := 0
	// 999.95 rounds to "1000.0" at one decimal: move up a unit first.
	for math.Abs(b) >= 999.95 && i < len(names)-1 {
		b /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", b)
	}
	return fmt.Sprintf("%.1f %s", b, names[i])
}
