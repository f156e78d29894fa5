package git

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// contextLines is how many lines around a never-read line are read with
// it, so that a match spread over a few lines (a PEM key between its
// BEGIN and END lines, a netrc entry, a service-account JSON) is seen
// whole when only some of its lines are new.
const contextLines = 2

// blobResult is what one blob holds, kept while its deltas are walked.
type blobResult struct {
	matches []Match // sorted by Offset
	spans   []span  // whole-line extent of each match, parallel to matches
	// opaque is set when the content cannot serve as a base for mapping
	// (skipped, or decoded from UTF-16): deltas on it are read whole.
	opaque bool
}

// blobScanner reads blob contents for one worker: it decides with the same
// limits as `sprawl dir` whether a blob is read at all, then hands only
// the lines nobody has read yet to the detector, through
// sources.ReadChunks.
type blobScanner struct {
	find    Finder
	lim     sources.Limits
	st      *sources.Stats
	cache   *lineCache
	scratch *sources.Stats // ReadChunks' counts for partial reads; the blob is counted once in st
	// chunkSize is the size up to which a range is one chunk.
	chunkSize int
	// exhaustive reads every blob whole, every line, to check the walk
	// against (tests and measurements only).
	exhaustive bool

	lines  []lineInfo
	firsts []int // index in lines of each window's first line
	ranges []readRange
	wins   []span
	mapped []Match
	recs   []lineRecord
	// sink keeps what lineCache.touch returns, so that its loads are done.
	sink uint64
}

type lineInfo struct {
	start, end int
	no         int
	hash       uint64
	seen       bool
	short      bool
	cached     []lineMatch
}

func newBlobScanner(find Finder, lim sources.Limits, st *sources.Stats, cache *lineCache) *blobScanner {
	cs := lim.ChunkSize
	if cs <= 0 {
		cs = sources.DefaultChunkSize
	}
	return &blobScanner{find: find, lim: lim, st: st, cache: cache, scratch: sources.NewStats(), chunkSize: cs}
}

// hasBOM reports UTF-16 text, which ReadChunks decodes as a whole.
func hasBOM(b []byte) bool {
	return len(b) >= 2 && len(b)%2 == 0 && ((b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff))
}

// scan returns the matches of one blob. rec and base describe the delta it
// was built from (nil for a whole object): lines copied unchanged from the
// base keep the base's matches, and only lines around the delta's edits
// are looked at.
func (s *blobScanner) scan(name string, data []byte, rec *deltaRecord, base *blobResult) *blobResult {
	if s.lim.MaxSize > 0 && int64(len(data)) > s.lim.MaxSize {
		s.st.Skip(sources.SkipTooLarge)
		s.st.Warn(name, fmt.Sprintf("skipped: %d bytes is larger than --max-file-size (%d)", len(data), s.lim.MaxSize))
		return &blobResult{opaque: true}
	}
	origin := &sources.Origin{Source: sources.KindGit, Path: name}
	if sources.IsArchiveContent(data) || sources.KeystoreKind(data) != "" {
		return s.scanArchive(origin, data) // a keystore too: read whole, described by ReadChunks
	}
	if hasBOM(data) {
		var out []Match
		_ = sources.ReadChunks(bytes.NewReader(data), origin, int64(len(data)), s.lim, s.st, func(c sources.Chunk) error {
			out = append(out, s.find(c)...)
			return nil
		})
		return &blobResult{matches: dedupeMatches(out), opaque: true}
	}
	if !sameHead(data, rec, base) && sources.IsBinary(data) {
		s.st.Skip(sources.SkipBinary)
		return &blobResult{opaque: true}
	}
	var out []Match
	s.wins = s.wins[:0]
	if s.exhaustive || rec == nil || base == nil || base.opaque {
		if len(data) > 0 {
			s.wins = append(s.wins, span{0, len(data)})
		}
	} else {
		s.wins = editWindows(data, rec.edits, s.wins)
		s.mapMatches(data, rec, base)
		out = append(out, s.mapped...)
	}
	var read int64
	out, read = s.scanWindows(origin, data, out)
	s.st.Scanned(read)
	res := &blobResult{matches: dedupeMatches(out)}
	res.spans = make([]span, len(res.matches))
	for i, m := range res.matches {
		res.spans[i] = matchSpan(data, m)
	}
	return res
}

// sniffLen is how much of the start IsBinary looks at.
const sniffLen = 8 << 10

// sameHead reports whether a delta target starts with the same bytes as
// its text base, as far as IsBinary looks: then it is text too, and the
// check (a byte loop over 8 KiB of every version) is skipped.
func sameHead(data []byte, rec *deltaRecord, base *blobResult) bool {
	if rec == nil || base == nil || base.opaque || len(rec.runs) == 0 {
		return false
	}
	r := rec.runs[0]
	return r.t == 0 && r.b == 0 && r.n >= min(len(data), sniffLen)
}

// mapMatches carries the base's matches that lie in copied lines, outside
// every window, to their place in the target. Their line numbers are
// worked out afterwards in scanWindows' sweep.
func (s *blobScanner) mapMatches(data []byte, rec *deltaRecord, base *blobResult) {
	s.mapped = s.mapped[:0]
	if len(base.matches) == 0 {
		return
	}
	for _, r := range rec.runs {
		i := sort.Search(len(base.spans), func(i int) bool { return base.spans[i].start >= r.b })
		for ; i < len(base.spans) && base.spans[i].start < r.b+r.n; i++ {
			sp := base.spans[i]
			if sp.end > r.b+r.n {
				continue
			}
			shift := r.t - r.b
			if overlaps(s.wins, span{sp.start + shift, sp.end + shift}) {
				continue
			}
			m := base.matches[i]
			m.Offset += int64(shift)
			s.mapped = append(s.mapped, m)
		}
	}
	sort.Slice(s.mapped, func(i, j int) bool { return s.mapped[i].Offset < s.mapped[j].Offset })
	// Line numbers: one sweep over the target.
	line, pos := 1, 0
	for i := range s.mapped {
		off := int(s.mapped[i].Offset)
		line += bytes.Count(data[pos:off], []byte{'\n'})
		pos = off
		s.mapped[i].Line = line
	}
}

// matchSpan is the whole-line extent of a match.
func matchSpan(data []byte, m Match) span {
	start := lineStart(data, int(m.Offset))
	end := start
	for k := 0; k <= m.Lines && end < len(data); k++ {
		end = lineEnd(data, end)
	}
	return span{start, max(end, start+1)}
}

func dedupeMatches(ms []Match) []Match {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Member != ms[j].Member {
			return ms[i].Member < ms[j].Member
		}
		if ms[i].Offset != ms[j].Offset {
			return ms[i].Offset < ms[j].Offset
		}
		return ms[i].Key < ms[j].Key
	})
	out := ms[:0]
	for i, m := range ms {
		if i > 0 && m.Member == ms[i-1].Member && m.Offset == ms[i-1].Offset && m.Key == ms[i-1].Key {
			continue
		}
		out = append(out, m)
	}
	return out
}
