package git

import (
	"bytes"
	"sort"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// scanWindows looks at every line of the windows (widened by contextLines):
// lines read before contribute their cached matches, the others are read
// by the detector with their context and then cached. It returns the
// matches and how many bytes the detector read.
func (s *blobScanner) scanWindows(origin *sources.Origin, data []byte, out []Match) ([]Match, int64) {
	var read int64
	line, pos := 1, 0
	for _, w := range widen(data, s.wins) {
		line += bytes.Count(data[pos:w.start], []byte{'\n'})
		pos = w.start
		s.lookupLines(data, w, line)
		out = s.reuseCached(data, out)
		for i := 0; i < len(s.lines); {
			if !s.lines[i].read {
				i++
				continue
			}
			j := i
			for j+1 < len(s.lines) && s.lines[j+1].read {
				j++
			}
			r := span{s.lines[i].start, s.lines[j].end}
			found := s.scanRange(origin, data, r, s.lines[i].no)
			read += int64(r.end - r.start)
			s.remember(data, s.lines[i:j+1], found)
			out = append(out, found...)
			i = j + 1
		}
	}
	return out, read
}

// minLine is the length under which a line is never looked up alone.
const minLine = 8

// widen adds contextLines lines on each side of every window and merges
// the windows that then touch.
func widen(data []byte, wins []span) []span {
	out := make([]span, 0, len(wins))
	for _, w := range wins {
		a, b := w.start, w.end
		for k := 0; k < contextLines && a > 0; k++ {
			a = lineStart(data, a-1)
		}
		for k := 0; k < contextLines && b < len(data); k++ {
			b = lineEnd(data, b)
		}
		if n := len(out) - 1; n >= 0 && a <= out[n].end {
			out[n].end = max(out[n].end, b)
			continue
		}
		out = append(out, span{a, b})
	}
	return out
}

// lookupLines splits a window into lines and marks which must be read:
// never-read lines and their context, and every line of a cached match
// spread over several lines when one of them is new (the match may have
// changed).
func (s *blobScanner) lookupLines(data []byte, w span, firstLine int) {
	s.lines = s.lines[:0]
	s.cache.mu.RLock()
	for a, no := w.start, firstLine; a < w.end; no++ {
		b := lineEnd(data, a)
		if b-a < minLine {
			// Too short to hold a secret, and so common (blank lines,
			// braces) that looking them up costs more than reading them.
			s.lines = append(s.lines, lineInfo{start: a, end: b, no: no, seen: true, short: true})
			a = b
			continue
		}
		h := s.cache.hash(data[a:b])
		cached, seen := s.cache.lookup(h)
		s.lines = append(s.lines, lineInfo{start: a, end: b, no: no, hash: h, seen: seen, cached: cached})
		a = b
	}
	s.cache.mu.RUnlock()
	n := len(s.lines)
	if s.exhaustive {
		for i := range s.lines {
			s.lines[i].read, s.lines[i].cached = true, nil
		}
		return
	}
	for i := range s.lines {
		if s.lines[i].seen {
			continue
		}
		for k := max(i-contextLines, 0); k <= min(i+contextLines, n-1); k++ {
			s.lines[k].read = true
		}
	}
	for i := range s.lines {
		for _, lm := range s.lines[i].cached {
			if lm.lines == 0 {
				continue
			}
			last := min(i+lm.lines, n-1)
			fresh := false
			for k := i; k <= last; k++ {
				fresh = fresh || !s.lines[k].seen
			}
			if fresh {
				for k := i; k <= last; k++ {
					s.lines[k].read = true
				}
			}
		}
	}
}

// reuseCached adds the cached matches of lines that are not read again.
// A match over several lines is reused only when all its lines are the
// same as when it was found.
func (s *blobScanner) reuseCached(data []byte, out []Match) []Match {
	for i, li := range s.lines {
		if li.read {
			continue
		}
		for _, lm := range li.cached {
			if lm.lines > 0 {
				end := li.start
				for k := 0; k <= lm.lines && end < len(data); k++ {
					end = lineEnd(data, end)
				}
				if s.cache.hash(data[li.start:end]) != lm.span {
					continue
				}
			}
			m := lm.m
			m.Offset = int64(li.start + lm.col)
			m.Line = s.lines[i].no
			out = append(out, m)
		}
	}
	return out
}

// scanRange hands one run of lines to the detector through ReadChunks.
func (s *blobScanner) scanRange(origin *sources.Origin, data []byte, r span, firstLine int) []Match {
	var out []Match
	if r.end-r.start <= s.chunkSize {
		// The blob already passed ReadChunks' checks, and a range this
		// small is exactly the one chunk ReadChunks would emit; handing
		// it over directly saves a buffer and a copy per range.
		return s.find(sources.Chunk{Data: data[r.start:r.end], Origin: origin, StartLine: firstLine, StartOffset: int64(r.start)})
	}
	_ = sources.ReadChunks(bytes.NewReader(data[r.start:r.end]), origin, int64(r.end-r.start), s.lim, s.scratch, func(c sources.Chunk) error {
		c.StartOffset += int64(r.start)
		c.StartLine += firstLine - 1
		out = append(out, s.find(c)...)
		return nil
	})
	return out
}

// remember caches what was found on each line that was read.
func (s *blobScanner) remember(data []byte, lines []lineInfo, found []Match) {
	if s.exhaustive {
		return
	}
	s.recs = s.recs[:0]
	sort.Slice(found, func(i, j int) bool { return found[i].Offset < found[j].Offset })
	k := 0
	for _, li := range lines {
		if li.short {
			continue
		}
		rec := lineRecord{hash: li.hash}
		for ; k < len(found) && int(found[k].Offset) < li.end; k++ {
			m := found[k]
			off := int(m.Offset)
			if off < li.start {
				continue
			}
			lm := lineMatch{col: off - li.start, lines: m.Lines, m: m}
			if m.Lines > 0 {
				sp := matchSpan(data, m)
				lm.span = s.cache.hash(data[sp.start:sp.end])
			}
			rec.matches = append(rec.matches, lm)
		}
		s.recs = append(s.recs, rec)
	}
	s.cache.store(s.recs)
}
