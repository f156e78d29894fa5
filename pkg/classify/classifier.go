package classify

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Classifier judges the findings of one chunk with the chunk's content in
// view, and finds the references in it. It is safe for concurrent use:
// scans call Chunk from every worker, right after detect's Scan.
type Classifier struct {
	set         *Set
	opts        Options
	keywordList []string
	// keywords finds keywordList in chunks whose caller did not (Chunk
	// rather than ChunkWithHits); built on first use.
	keywords     *detect.KeywordSet
	keywordsOnce sync.Once
	// appliesCache holds, for recently seen paths, which patterns apply
	// there (applies).
	appliesCache [appliesCacheSlots]atomic.Pointer[appliesEntry]
	kwPattern    [][]int // keyword index -> pattern indices
}

// Options tune a classifier.
type Options struct {
	// Recognised reports whether a detection rule matches a line at all,
	// even one it then rejects (a failed checksum, a disabled rule, an
	// allowlisted value). The literal fallback leaves such lines to the
	// rules, which have the last word on every format they know.
	Recognised func(line []byte) bool
	// SkipLiteral, when set, drops a literal found by the fallback for
	// secret-named keys (rule id, value): the config disabled that id or
	// allowlists the value.
	SkipLiteral func(ruleID, value string) bool
	// PipelineOf, when set, names the CI platform of a file its name does
	// not give away: a GitLab pipeline's local include (`ci/deploy.yml`),
	// which only the including file says is a pipeline.
	PipelineOf func(path string) Platform
}

// platformOf names the CI platform of the file at p, from its name or
// from what the scan learnt about it (Options.PipelineOf).
func (c *Classifier) platformOf(p string) Platform {
	if pl := PlatformOf(p); pl != "" {
		return pl
	}
	if c.opts.PipelineOf != nil {
		return c.opts.PipelineOf(p)
	}
	return ""
}

// New builds a classifier from reference data (rules.References).
func New(fsys fs.FS, opts Options) (*Classifier, error) {
	set, err := LoadReferences(fsys)
	if err != nil {
		return nil, err
	}
	return NewFromSet(set, opts), nil
}

// NewFromSet builds a classifier from loaded reference data.
func NewFromSet(set *Set, opts Options) *Classifier {
	c := &Classifier{set: set, opts: opts}
	c.keywordList, c.kwPattern = referenceKeywords(set)
	return c
}

// ReferenceKeywords lists the words whose occurrence makes the classifier
// look at a chunk: reference forms' keywords and secret-key words. A scan
// hands them to the detection engine (detect.Options.Extra) so one pass
// finds both; ChunkWithHits takes the hits by index in this list.
func ReferenceKeywords(set *Set) []string {
	words, _ := referenceKeywords(set)
	return words
}

// referenceKeywords returns the keyword list and, for each keyword, the
// patterns it announces. Key words get pattern index -1: they only say
// that the chunk may hold a secret-named key, which is what parsing is
// worth doing for.
func referenceKeywords(set *Set) (keywords []string, kwPattern [][]int) {
	index := map[string]int{}
	add := func(word string, pi int) {
		k := strings.ToLower(word)
		ki, ok := index[k]
		if !ok {
			ki = len(keywords)
			index[k] = ki
			keywords = append(keywords, k)
			kwPattern = append(kwPattern, nil)
		}
		kwPattern[ki] = append(kwPattern[ki], pi)
	}
	for pi, p := range set.Patterns {
		for _, k := range p.Keywords {
			// A one-byte keyword ("$") would make the automaton stop
			// at every dollar sign; it is checked with IndexByte, and
			// only for files the pattern applies to.
			if len(k) > 1 {
				add(k, pi)
			}
		}
	}
	for _, k := range set.Keys.Keywords {
		add(k, -1)
	}
	return keywords, kwPattern
}

// appliesCacheSlots is the size of applies' cache: a direct-mapped table
// of recent paths, where a new path replaces whatever shared its slot.
// Git history classifies every blob under its own name ("blob <id>"), so
// a cache of every path seen grew with the history (tens of MB) and then
// stopped helping; what repeats is one path's chunks, close together.
const appliesCacheSlots = 1 << 12

// appliesEntry is one path's answers, one per pattern.
type appliesEntry struct {
	path    string
	answers []atomic.Uint32
}

// applies reports whether pattern pi may match in a file at filePath.
// Git history classifies many chunks of one path (every version, every
// changed window) and a pattern may carry twenty doublestar globs, so
// each answer is cached per path and pattern, worked out the first time
// that pattern's keywords occur in that path.
func (c *Classifier) applies(pi int, filePath string) bool {
	p := c.set.Patterns[pi]
	if len(p.Paths) == 0 {
		return p.appliesTo(filePath) // no globs: cheap
	}
	e := c.appliesEntry(filePath)
	switch e[pi].Load() {
	case appliesNo:
		return false
	case appliesYes:
		return true
	}
	ok := p.appliesTo(filePath)
	v := uint32(appliesNo)
	if ok {
		v = appliesYes
	}
	e[pi].Store(v) // a race only works the same answer out twice
	return ok
}

// Answers cached by applies; zero is "not worked out yet".
const (
	appliesNo = 1 + iota
	appliesYes
)

// appliesEntry returns the path's cache entry, one answer per pattern.
func (c *Classifier) appliesEntry(filePath string) []atomic.Uint32 {
	slot := &c.appliesCache[maphash.String(appliesSeed, filePath)%appliesCacheSlots]
	if e := slot.Load(); e != nil && e.path == filePath {
		return e.answers
	}
	e := &appliesEntry{path: filePath, answers: make([]atomic.Uint32, len(c.set.Patterns))}
	slot.Store(e)
	return e.answers
}

// appliesSeed hashes paths into appliesCache.
var appliesSeed = maphash.MakeSeed()

// Set returns the classifier's reference data.
func (c *Classifier) Set() *Set { return c.set }

// ChunkResult is what classifying one chunk gives.
type ChunkResult struct {
	// Findings holds the chunk's detector findings with their class, the
	// literals of secret-named keys no rule recognised, and every
	// reference, ordered by offset.
	Findings []Finding
	// CodeOwners is set when the chunk is a CODEOWNERS file.
	CodeOwners *CodeOwners
}

// refMatch is one accepted reference span in a chunk.
type refMatch struct {
	p          *Pattern
	start, end int
	line       int // 1-based in the chunk
	target     string
	key        string
}

// Chunk classifies the detector's findings in one chunk and adds the
// chunk's references and unrecognised literals.
func (c *Classifier) Chunk(ch sources.Chunk, found []detect.Finding) ChunkResult {
	return c.ChunkWithHits(ch, found, nil)
}

// ChunkWithHits is Chunk given where ReferenceKeywords occur in the chunk,
// found by the detection engine's pass (detect.Engine.ScanWithExtra); nil
// hits means the classifier looks for them itself.
func (c *Classifier) ChunkWithHits(ch sources.Chunk, found []detect.Finding, kw []detect.ExtraHit) ChunkResult {
	var res ChunkResult
	o := ch.Origin
	if o == nil {
		o = &sources.Origin{}
	}
	if o.CI != nil {
		return c.ciVariable(ch, found) // read through a CI API: the variable's settings decide (civariable.go)
	}
	if IsCodeOwnersPath(o.Path) {
		res.CodeOwners = ParseCodeOwners(ch.Data)
	}
	hits, keyish := c.prefilter(ch.Data, kw)
	for pi, p := range c.set.Patterns {
		if p.byteKeywordIn(ch.Data) && c.applies(pi, o.Path) {
			keyish = true // a one-byte keyword pattern may apply: parse
			break
		}
	}
	// A CI pipeline file is always read: its reader finds what no
	// keyword announces (a fetch step, an echo).
	platform := c.platformOf(o.Path)
	if len(found) == 0 && len(hits) == 0 && !keyish && platform == "" {
		return res // nothing secret-named, no reference keyword: no parse
	}
	format := FormatOf(o.Path)
	lines := newLineIndex(ch.Data)
	leaves, _ := extract(format, ch.Data, lines)
	refs := c.matchReferences(ch.Data, o.Path, leaves, lines, hits)

	for _, f := range found {
		res.Findings = append(res.Findings, c.judge(ch, f, leaves, refs, format))
	}
	for _, r := range refs {
		// An inline allow marker silences references on its line too
		// (documentation showing an unmanaged form, say).
		if inlineAllowed([]byte(detect.ContextLine(ch.Data, r.start, r.end, 1<<20))) {
			continue
		}
		res.Findings = append(res.Findings, c.referenceFinding(ch, r, lines, format))
	}
	res.Findings = append(res.Findings, c.literals(ch, found, leaves, refs, lines, format)...)
	if platform != "" {
		res.Findings = c.pipeline(ch, platform, leaves, lines, res.Findings)
	}
	sort.SliceStable(res.Findings, func(i, j int) bool { return res.Findings[i].Offset < res.Findings[j].Offset })
	return res
}

// prefilter says where the keywords of each pattern occur in the chunk
// and whether any secret-key word does, from the engine's hits when given
// (kw not nil), else from a pass of its own.
func (c *Classifier) prefilter(data []byte, kw []detect.ExtraHit) (hits map[int][]int, keyish bool) {
	hits = map[int][]int{}
	note := func(k, start int) {
		for _, pi := range c.kwPattern[k] {
			if pi < 0 {
				keyish = true
			}
			hits[pi] = append(hits[pi], start) // key words under keyWordHits
		}
	}
	if kw != nil {
		for _, h := range kw {
			note(h.Keyword, h.Start)
		}
	} else {
		c.keywordsOnce.Do(func() { c.keywords = detect.NewKeywordSet(c.keywordList) })
		c.keywords.Each(data, func(k, start, _ int) bool {
			note(k, start)
			return true
		})
	}
	slices.Sort(hits[keyWordHits])
	return hits, keyish
}

// keyWordHits is where prefilter puts the offsets of secret-key words.
const keyWordHits = -1

// keywordWindows returns the byte ranges a text pattern is run on: the
// line of each keyword hit with one line either side (a form may start
// on the line before its keyword), merged where they touch. Running the
// regex on these windows rather than the whole chunk matters for forms
// without a literal prefix (getenv's alternation), which RE2 would
// otherwise step through every byte of a large source file.
//
// keyWords, when not nil, are the offsets of secret-key words, for a
// pattern whose match counts only when its target or its key is
// secret-named, in a chunk whose keys are found on the match's own line
// (no parsed leaves). Such a name contains a key word on the hit's line,
// so a hit whose window holds none can only produce candidates that
// addCandidate would refuse, and makes no window. The choice is made per
// hit, before windows merge: merged first, a script with a $ on every
// line made one window of the whole file, run whole for one key word
// anywhere in it.
func keywordWindows(data []byte, hits, keyWords []int) [][2]int {
	var wins [][2]int
	lastEnd := -1 // the end of the last hit's window, kept or not
	for _, h := range hits {
		if h < lastEnd {
			// Inside the last window, and so is its line: judged with it.
			continue
		}
		s := bytes.LastIndexByte(data[:h], '\n') // end of the previous line
		if s >= 0 {
			s = bytes.LastIndexByte(data[:s], '\n')
		}
		s++
		e := h
		for range 2 { // to the end of the next line
			i := bytes.IndexByte(data[e:], '\n')
			if i < 0 {
				e = len(data)
				break
			}
			e += i + 1
		}
		lastEnd = e
		if keyWords != nil {
			if i, _ := slices.BinarySearch(keyWords, s); i == len(keyWords) || keyWords[i] >= e {
				continue
			}
		}
		if n := len(wins); n > 0 && s <= wins[n-1][1] {
			wins[n-1][1] = e
			continue
		}
		wins = append(wins, [2]int{s, e})
	}
	return wins
}

// matchReferences runs the patterns whose keywords occur in the chunk and
// keeps the best of overlapping matches.
func (c *Classifier) matchReferences(data []byte, filePath string, leaves []Leaf, lines *lineIndex, hits map[int][]int) []refMatch {
	var cands []refMatch
	for pi, p := range c.set.Patterns {
		byteKeyword := p.byteKeywordIn(data)
		if (len(hits[pi]) == 0 && !byteKeyword) || !c.applies(pi, filePath) {
			continue
		}
		if p.On == "structure" {
			for _, l := range leaves {
				line := l.Path + ": " + l.Value
				if m := p.re.FindStringSubmatchIndex(line); m != nil {
					cands = c.addCandidate(cands, p, l.Start, l.End, l.Line, targetOf(p, []byte(line), m), l.Key, filePath)
				}
			}
			continue
		}
		wins := [][2]int{{0, len(data)}}
		var keyWords []int // not nil: only windows that can name a secret
		if p.SecretName == "required" && len(leaves) == 0 {
			keyWords = hits[keyWordHits]
			if keyWords == nil {
				continue // no secret-key word anywhere in the chunk
			}
		}
		switch {
		case !byteKeyword:
			wins = keywordWindows(data, hits[pi], keyWords)
		case keyWords != nil:
			wins = keywordWindows(data, p.bytePositionsIn(data, hits[pi]), keyWords)
		}
		for _, w := range wins {
			cands = c.matchText(cands, p, data, w[0], w[1], filePath, leaves, lines)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.p.Priority != b.p.Priority {
			return a.p.Priority > b.p.Priority
		}
		if a.end-a.start != b.end-b.start {
			return a.end-a.start > b.end-b.start
		}
		return a.start < b.start
	})
	var kept []refMatch
	for _, cand := range cands {
		overlap := false
		for _, k := range kept {
			if cand.start < k.end && k.start < cand.end {
				overlap = true
				break
			}
		}
		if !overlap {
			kept = append(kept, cand)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].start < kept[j].start })
	return kept
}

// matchText runs a text pattern on data[ws:we] and adds its matches.
func (c *Classifier) matchText(cands []refMatch, p *Pattern, data []byte, ws, we int, filePath string, leaves []Leaf, lines *lineIndex) []refMatch {
	win := data[ws:we]
	for _, m := range p.re.FindAllSubmatchIndex(win, -1) {
		s, e := ws+m[0], ws+m[1]
		// Patterns may consume one leading delimiter, a line break
		// among them ([\s=:"'(]); the reference starts after it, on
		// its own line.
		for s < e && strings.IndexByte(" \t\n\r\v\f=:\"'(", data[s]) >= 0 {
			s++
		}
		key := keyAt(data, s, leaves)
		cands = c.addCandidate(cands, p, s, e, lines.lineOf(s), targetOf(p, win, m), key, filePath)
	}
	return cands
}

func (c *Classifier) addCandidate(cands []refMatch, p *Pattern, s, e, line int, target, key, filePath string) []refMatch {
	if p.allowed(target) {
		return cands
	}
	if p.SecretName == "required" && !c.set.Keys.SecretNamed(target) && !c.set.Keys.SecretNamed(key) {
		return cands
	}
	if target == "" {
		// A form that names no secret of its own (sops ENC[...]) stands
		// for the value of its key in its file.
		target = filePath + "#" + key
	}
	return append(cands, refMatch{p: p, start: s, end: e, line: line, target: target, key: key})
}

// targetOf returns the group "target", else the first group that took
// part in the match, else nothing.
func targetOf(p *Pattern, s []byte, m []int) string {
	if g := p.targetGroup; g > 0 && m[2*g] >= 0 && m[2*g+1] > m[2*g] {
		return strings.TrimSpace(string(s[m[2*g]:m[2*g+1]]))
	}
	for g := 1; 2*g+1 < len(m); g++ {
		if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
			return strings.TrimSpace(string(s[m[2*g]:m[2*g+1]]))
		}
	}
	// A form without groups names no secret of its own (sops ENC[...]
	// is ciphertext, not a name): addCandidate falls back to its key.
	return ""
}

// keyReach bounds how far back on its line keyAt looks for the key of a
// value by its nearest assignment. Without it, a long line with many
// references ($VAR in a long shell one-liner) costs a copy and a regex run
// over the whole line so far for each of them: quadratic in its length.
const keyReach = 256

// keyAt returns the key a value at offset is assigned to: the parsed leaf
// holding it, else the assignment on its line.
func keyAt(data []byte, off int, leaves []Leaf) string {
	for _, l := range leaves {
		if l.Start <= off && off < max(l.End, l.Start+1) {
			return l.Key
		}
	}
	ls := bytes.LastIndexByte(data[:off], '\n') + 1
	prefix := data[ls:off]
	// An assignment at the line's start wins; the pattern is anchored, so
	// a long line costs nothing here.
	if m := firstAssign.FindSubmatch(prefix); m != nil {
		return string(m[1])
	}
	if len(prefix) > keyReach {
		prefix = prefix[len(prefix)-keyReach:]
	}
	if all := anyAssign.FindAllSubmatch(prefix, -1); len(all) > 0 {
		return string(all[len(all)-1][1])
	}
	return ""
}

var (
	firstAssign = regexp.MustCompile(`^\s*(?:export\s+|const\s+|let\s+|var\s+|-\s+|\$)?["']?([A-Za-z_][\w.-]*)["']?\s*(?::=|=>|=|:)`)
	anyAssign   = regexp.MustCompile(`["']?([A-Za-z_][\w.-]*)["'\]]?\s*(?::=|=>|=|:)\s*`)
)

// judge classifies one detector finding.
func (c *Classifier) judge(ch sources.Chunk, f detect.Finding, leaves []Leaf, refs []refMatch, format Format) Finding {
	off := int(f.Offset - ch.StartOffset)
	out := Finding{Finding: f, Class: Unmanaged, NHI: []string{NHI2}, Format: format}
	if off >= 0 && off <= len(ch.Data) {
		out.Key = keyAt(ch.Data, off, leaves)
		for _, r := range refs {
			if r.p.Covers && r.start <= off && off < r.end {
				out.Class, out.NHI = Managed, nil
				out.Evidence = fmt.Sprintf("inside %s: %s", r.p.Title, r.p.Evidence)
				return out
			}
		}
	}
	out.Evidence = literalEvidence(out.Key, format)
	return out
}

func literalEvidence(key string, format Format) string {
	e := "literal value"
	if key != "" {
		e += " of key " + key
	}
	if format != "" {
		e += " in " + string(format)
	}
	return e + " in scanned content"
}

// referenceFinding turns a reference match into an occurrence.
func (c *Classifier) referenceFinding(ch sources.Chunk, r refMatch, lines *lineIndex, format Format) Finding {
	p := r.p
	ev := fmt.Sprintf("%s %q", p.Title, r.target)
	if r.key != "" {
		ev += " for key " + r.key
	}
	ev += ": " + p.Evidence
	return Finding{
		Finding:   located(ch, p.Rule(), "", string(ch.Data[r.start:r.end]), r.start, r.end, lines),
		Class:     p.Class,
		Evidence:  ev,
		Key:       r.key,
		Format:    format,
		Reference: &Reference{Pattern: p.ID, Provider: p.Provider, Target: r.target, Global: p.Global},
	}
}

// literals reports values of secret-named keys in parsed formats that no
// detection rule and no reference claimed.
func (c *Classifier) literals(ch sources.Chunk, found []detect.Finding, leaves []Leaf, refs []refMatch, lines *lineIndex, format Format) []Finding {
	if format == "" {
		return nil // code is left to the detection rules
	}
	var out []Finding
	for _, l := range leaves {
		if !c.set.Keys.SecretNamed(l.Key) || !c.set.Keys.Literal(l.Value) || claimed(ch, l, found, refs) {
			continue
		}
		ls := bytes.LastIndexByte(ch.Data[:l.Start], '\n') + 1
		le := bytes.IndexByte(ch.Data[l.Start:], '\n')
		if le < 0 {
			le = len(ch.Data) - l.Start
		}
		line := ch.Data[ls : l.Start+le]
		if inlineAllowed(line) || (c.opts.Recognised != nil && c.opts.Recognised(line)) {
			continue
		}
		if c.opts.SkipLiteral != nil && c.opts.SkipLiteral(c.set.LiteralRule.ID, l.Value) {
			continue
		}
		f := located(ch, c.set.LiteralRule, l.Value, l.Value, l.Start, l.End, lines)
		f.Entropy = detect.ShannonEntropy(l.Value)
		out = append(out, Finding{
			Finding:  f,
			Class:    Unmanaged,
			Evidence: fmt.Sprintf("literal value of secret-named key %s in %s (no detection rule knows its format)", l.Key, format),
			NHI:      []string{NHI2},
			Key:      l.Key,
			Format:   format,
		})
	}
	return out
}

func inlineAllowed(line []byte) bool { return detect.InlineAllowed(line) }

// claimed reports whether a detector finding or a reference already
// covers a leaf's value.
func claimed(ch sources.Chunk, l Leaf, found []detect.Finding, refs []refMatch) bool {
	base := max(ch.StartLine, 1) - 1
	for _, f := range found {
		// Same line: the rule saw this value (or its encoded form).
		if f.Line-base == l.Line {
			return true
		}
	}
	for _, r := range refs {
		if r.start < max(l.End, l.Start+1) && l.Start < r.end {
			return true
		}
	}
	return false
}
