// Package humanize formats counts and sizes for people, the same way in
// every report and on the progress line.
package humanize

import (
	"fmt"
	"strconv"
	"strings"
)

// Bytes prints a byte count in decimal units, as disk tools do:
// 999 B, 1.5 kB, 18.1 MB.
func Bytes(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n)
	unit := ""
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		v /= 1000
		unit = u
		if v < 999.95 { // would print as 1000.0 otherwise
			break
		}
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}

// Count writes a count with comma separators: 1234567 -> 1,234,567.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
