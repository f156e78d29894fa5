package git

import (
	"bytes"
	"sort"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// minLine is the length under which a line is never looked up alone:
// too short to hold a secret, and so common (blank lines, braces) that
// looking it up costs more than reading it.
const minLine = 8

// readRange is a run of lines the detector reads: bytes [start, end),
// starting at line number line.
type readRange struct{ start, end, line int }

// scanWindows looks every line of the windows up in the line cache. Lines
// read before contribute their cached matches; the others are read by the
// detector with contextLines lines around them (which may lie outside the
// window), and then cached. It returns the matches and how many bytes the
// detector read.
func (s *blobScanner) scanWindows(origin *sources.Origin, data []byte, out []Match) ([]Match, int64) {
	s.lines, s.ranges, s.firsts = s.lines[:0], s.ranges[:0], s.firsts[:0]
	line, pos := 1, 0
	for _, w := range s.wins {
		line += bytes.Count(data[pos:w.start], []byte{'\n'})
		pos = w.start
		s.firsts = append(s.firsts, len(s.lines))
		s.splitWindow(data, w, line)
	}
	// All of the blob's lookups see the cache in one state (see
	// lineCache). The lines were hashed before taking the lock: a writer
	// waits for every reader, and every new reader for a waiting writer,
	// so time spent under the shared lock idles the other workers.
	s.cache.mu.RLock()
	s.sink += s.cache.touch(s.lines)
	for i := range s.lines {
		if li := &s.lines[i]; li.hash != 0 {
			li.cached, li.seen = s.cache.lookup(li.hash)
		}
	}
	s.cache.mu.RUnlock()
	for k, first := range s.firsts {
		end := len(s.lines)
		if k+1 < len(s.firsts) {
			end = s.firsts[k+1]
		}
		s.markReads(data, s.lines[first:end])
	}
	ranges := mergeRanges(s.ranges)
	out = s.reuseCached(data, out, ranges)
	var read int64
	s.recs = s.recs[:0]
	for _, r := range ranges {
		found := s.scanRange(origin, data, span{r.start, r.end}, r.line)
		read += int64(r.end - r.start)
		s.remember(data, r, found)
		out = append(out, found...)
	}
	if len(s.recs) > 0 {
		// One exclusive lock per blob rather than per range read: each
		// one makes the other workers' lookups wait.
		s.cache.store(s.recs)
	}
	return out, read
}

// splitWindow splits a window into lines and hashes the ones to look up
// (a zero hash means no lookup: short lines, exhaustive scans).
func (s *blobScanner) splitWindow(data []byte, w span, firstLine int) {
	for a, no := w.start, firstLine; a < w.end; no++ {
		b := lineEnd(data, a)
		li := lineInfo{start: a, end: b, no: no, seen: true, short: b-a < minLine}
		if s.exhaustive {
			li.seen, li.short = false, false
		} else if !li.short {
			li.hash = s.cache.hash(data[a:b])
		}
		s.lines = append(s.lines, li)
		a = b
	}
}

// markReads adds the ranges to read for one window's lines: every
// never-read line with its context, and every line of a cached match
// spread over several lines when one of them is new (the match may have
// changed).
func (s *blobScanner) markReads(data []byte, lines []lineInfo) {
	for i, li := range lines {
		if !li.seen {
			start, line := li.start, li.no
			for k := 0; k < contextLines && start > 0; k++ {
				start = lineStart(data, start-1)
				line--
			}
			end := li.end
			for k := 0; k < contextLines && end < len(data); k++ {
				end = lineEnd(data, end)
			}
			s.ranges = append(s.ranges, readRange{start, end, line})
			continue
		}
		for _, lm := range li.cached {
			if lm.lines == 0 {
				continue
			}
			fresh := false
			for k := i; k <= min(i+lm.lines, len(lines)-1); k++ {
				fresh = fresh || !lines[k].seen
			}
			if fresh {
				s.ranges = append(s.ranges, readRange{li.start, linesEnd(data, li.start, lm.lines), li.no})
			}
		}
	}
}

// linesEnd is the end of the n-th line after the one starting at start.
func linesEnd(data []byte, start, n int) int {
	end := start
	for k := 0; k <= n && end < len(data); k++ {
		end = lineEnd(data, end)
	}
	return end
}

// mergeRanges sorts ranges and joins those that touch.
func mergeRanges(rs []readRange) []readRange {
	sort.Slice(rs, func(i, j int) bool { return rs[i].start < rs[j].start })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out) - 1; n >= 0 && r.start <= out[n].end {
			out[n].end = max(out[n].end, r.end)
			continue
		}
		out = append(out, r)
	}
	return out
}

// inRanges reports whether offset p lies in one of the sorted ranges.
func inRanges(rs []readRange, p int) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].end > p })
	return i < len(rs) && rs[i].start <= p
}

// reuseCached adds the cached matches of lines that are not read again.
// A match over several lines is reused only when all its lines are the
// same as when it was found.
func (s *blobScanner) reuseCached(data []byte, out []Match, ranges []readRange) []Match {
	for _, li := range s.lines {
		if len(li.cached) == 0 {
			continue
		}
		read := inRanges(ranges, li.start)
		for _, lm := range li.cached {
			// A line that is read again yields its single-line matches
			// anew; a match over several lines may reach past what is
			// read, so it is checked and reused either way.
			if lm.lines == 0 && read {
				continue
			}
			if lm.lines > 0 && s.cache.hash(data[li.start:linesEnd(data, li.start, lm.lines)]) != lm.span {
				continue
			}
			m := lm.m
			m.Offset = int64(li.start + lm.col)
			m.Line = li.no
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

// remember adds what was found on each line of a range read to s.recs,
// which scanWindows stores in the line cache once the blob is read.
func (s *blobScanner) remember(data []byte, r readRange, found []Match) {
	if s.exhaustive {
		return
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Offset < found[j].Offset })
	k := 0
	for a := r.start; a < r.end; {
		b := lineEnd(data, a)
		if b-a < minLine {
			a = b
			continue
		}
		rec := lineRecord{hash: s.cache.hash(data[a:b])}
		for ; k < len(found) && int(found[k].Offset) < b; k++ {
			m := found[k]
			if int(m.Offset) < a {
				continue
			}
			lm := lineMatch{col: int(m.Offset) - a, lines: m.Lines, m: m}
			if m.Lines > 0 {
				sp := matchSpan(data, m)
				lm.span = s.cache.hash(data[sp.start:sp.end])
			}
			rec.matches = append(rec.matches, lm)
		}
		s.recs = append(s.recs, rec)
		a = b
	}
}
