package git

import (
	"bytes"
	"sort"
)

// lineStart returns the offset of the first byte of the line holding p.
func lineStart(data []byte, p int) int {
	if p > len(data) {
		p = len(data)
	}
	return bytes.LastIndexByte(data[:p], '\n') + 1
}

// lineEnd returns the offset just past the newline that ends the line
// holding p (or the end of data).
func lineEnd(data []byte, p int) int {
	if p >= len(data) {
		return len(data)
	}
	if nl := bytes.IndexByte(data[p:], '\n'); nl >= 0 {
		return p + nl + 1
	}
	return len(data)
}

// snap widens a span to whole lines. A zero-width join between two copied
// pieces touches the line before it and the line after it.
func snap(data []byte, s span) span {
	a, b := s.start, s.end
	if a == b && a > 0 {
		a--
	}
	out := span{lineStart(data, a), lineEnd(data, max(b-1, a))}
	if s.start == s.end {
		out.end = lineEnd(data, s.end)
	}
	return out
}

// editWindows turns edits (in any order) into the sorted, merged,
// whole-line windows of data that must be scanned again. Detection looks
// at a match's own lines (keyword, pattern, inline allow comments, line
// length), so a line untouched by an edit is judged as it was in the base.
func editWindows(data []byte, edits []span, dst []span) []span {
	dst = dst[:0]
	for _, e := range edits {
		dst = append(dst, snap(data, e))
	}
	sort.Slice(dst, func(i, j int) bool { return dst[i].start < dst[j].start })
	out := dst[:0]
	for _, w := range dst {
		if k := len(out) - 1; k >= 0 && w.start <= out[k].end {
			out[k].end = max(out[k].end, w.end)
			continue
		}
		out = append(out, w)
	}
	return out
}

// overlaps reports whether s touches any window (windows sorted).
func overlaps(windows []span, s span) bool {
	i := sort.Search(len(windows), func(i int) bool { return windows[i].end > s.start })
	return i < len(windows) && windows[i].start < s.end
}
