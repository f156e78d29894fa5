package detect

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// lineReach bounds how far from a keyword, on the keyword's line, a
// pattern may match; it keeps minified one-line files from costing a regex
// run over the whole file per keyword.
const lineReach = 1024

// maxLineText caps the context line kept with a finding.
const maxLineText = 400

// Engine matches rules against chunks. It is safe for concurrent use.
type Engine struct {
	rules    []*Rule
	keywords *KeywordSet
	kwRules  [][]int // keyword index -> rule indices
	kwExtra  [][]int // keyword index -> Options.Extra indices
	allow    *Allowlist
	decode   bool
	// disabled holds the ids the config turned off.
	disabled map[string]bool
}

// Disabled reports whether the config turned an id off, for findings made
// outside the rule set (the classifier's literal fallback).
func (e *Engine) Disabled(id string) bool { return e.disabled[id] }

// FallbackAllowlisted says why a value found by a fallback outside the
// rule set is not a secret (the config's allowlist regexes and stopwords,
// placeholders, and the noise filters of generic rules), or returns "".
func (e *Engine) FallbackAllowlisted(secret string) string {
	return e.allow.rejectSecret(secret, "", true, false)
}

// Options configures an Engine.
type Options struct {
	// Allow holds the global allowlist (config file and built-in filters).
	Allow *Allowlist
	// Decode also scans base64 and percent-encoded text, one level deep.
	Decode bool
	// Disabled lists the ids the config turned off, including ids of
	// findings made outside the rule set.
	Disabled []string
	// Extra lists keywords the caller wants found in the same pass as the
	// rules' keywords (the classifier's reference keywords), so that a
	// chunk is walked by one automaton rather than two. ScanWithExtra
	// reports where they occur.
	Extra []string
}

// ExtraHit is one occurrence of an Options.Extra keyword: its index in
// Extra and its start in the chunk.
type ExtraHit struct {
	Keyword int
	Start   int
}

// NewEngine builds the keyword automaton for a rule set.
func NewEngine(rules []*Rule, opts Options) (*Engine, error) {
	e := &Engine{rules: rules, allow: opts.Allow, decode: opts.Decode, disabled: map[string]bool{}}
	for _, id := range opts.Disabled {
		e.disabled[id] = true
	}
	if e.allow == nil {
		e.allow = &Allowlist{}
	}
	if err := e.allow.compile(); err != nil {
		return nil, err
	}
	index := map[string]int{}
	var keywords []string
	// keywordAt returns the automaton index of a keyword, adding it (with
	// empty rule and extra lists) the first time it is seen.
	keywordAt := func(k string) int {
		k = asciiLower(k)
		ki, ok := index[k]
		if !ok {
			ki = len(keywords)
			index[k] = ki
			keywords = append(keywords, k)
			e.kwRules = append(e.kwRules, nil)
			e.kwExtra = append(e.kwExtra, nil)
		}
		return ki
	}
	for ri, r := range rules {
		if r.compiled == nil {
			if err := r.Compile(); err != nil {
				return nil, err
			}
		}
		for _, k := range r.Keywords {
			ki := keywordAt(k)
			e.kwRules[ki] = appendUnique(e.kwRules[ki], ri)
		}
	}
	if len(keywords) == 0 {
		return nil, fmt.Errorf("no rules to match")
	}
	for xi, k := range opts.Extra {
		ki := keywordAt(k)
		e.kwExtra[ki] = append(e.kwExtra[ki], xi)
	}
	e.keywords = NewKeywordSet(keywords)
	return e, nil
}

// Rules returns the engine's rules, sorted by id.
func (e *Engine) Rules() []*Rule { return e.rules }

// PathAllowed reports whether a path is excluded by the allowlist; walkers
// call it before opening anything.
func (e *Engine) PathAllowed(path string) bool { return e.allow.PathAllowed(path) }

// hitLists holds keyword hit lists for reuse by scanBytes.
var hitLists = sync.Pool{New: func() any { return new([]hit) }}

// hit is one keyword occurrence for one rule.
type hit struct {
	rule       int
	start, end int
}

// rawMatch is a regex match that survived the filters, before line numbers
// are worked out.
type rawMatch struct {
	rule              *Rule
	start, end        int // secret span in the chunk
	mstart, mend      int // whole match span in the chunk
	secret, matchText string
	key               string // the pattern's "key" group: the name the secret is assigned to
	entropy           float64
	decoded           string
	// failedValidation marks a match whose format check failed: it is not
	// reported, but it keeps fallback rules from reporting the same span.
	failedValidation bool
}

// Scan returns the findings in one chunk, ordered by position.
func (e *Engine) Scan(c sources.Chunk) []Finding {
	return e.scan(c, nil)
}

// ScanWithExtra is Scan that also reports where the Options.Extra keywords
// occur in the chunk, found in the same pass.
func (e *Engine) ScanWithExtra(c sources.Chunk) ([]Finding, []ExtraHit) {
	extra := []ExtraHit{} // not nil: "none found", not "not looked for"
	found := e.scan(c, &extra)
	return found, extra
}

func (e *Engine) scan(c sources.Chunk, extra *[]ExtraHit) []Finding {
	raws := e.scanBytes(c.Data, nil, extra)
	if e.decode {
		raws = append(raws, e.scanDecoded(c.Data)...)
	}
	if len(raws) == 0 {
		return nil
	}
	raws = preferSpecific(raws)
	return e.locate(c, raws)
}

// Tracer receives the engine's reasoning for `sprawl rules check`.
type Tracer func(rule *Rule, stage, detail string)

// scanBytes runs the prefilter and the regexes of the rules it selects.
func (e *Engine) scanBytes(data []byte, trace Tracer, extra *[]ExtraHit) []rawMatch {
	if len(data) == 0 {
		return nil
	}
	// The hit list is reused across scans: git history scans hundreds of
	// thousands of small chunks, and growing a fresh list for each was a
	// measurable share of the scan.
	hp := hitLists.Get().(*[]hit)
	hits := (*hp)[:0]
	defer func() {
		*hp = hits[:0]
		hitLists.Put(hp)
	}()
	e.keywords.Each(data, func(kw, start, end int) bool {
		for _, ri := range e.kwRules[kw] {
			hits = append(hits, hit{rule: ri, start: start, end: end})
		}
		if extra != nil {
			for _, xi := range e.kwExtra[kw] {
				*extra = append(*extra, ExtraHit{Keyword: xi, Start: start})
			}
		}
		return true
	})
	if len(hits) == 0 {
		return nil
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.rule != b.rule {
			return a.rule - b.rule
		}
		return a.start - b.start
	})
	var out []rawMatch
	for i := 0; i < len(hits); {
		j := i
		for j < len(hits) && hits[j].rule == hits[i].rule {
			j++
		}
		out = e.runRule(data, e.rules[hits[i].rule], hits[i:j], out, trace)
		i = j
	}
	return out
}

// runRule runs one rule's regex over the merged windows around its
// keyword hits.
func (e *Engine) runRule(data []byte, r *Rule, hits []hit, out []rawMatch, trace Tracer) []rawMatch {
	if trace != nil {
		trace(r, "keyword", fmt.Sprintf("%d keyword hit(s), first %q at byte %d", len(hits), data[hits[0].start:hits[0].end], hits[0].start))
	}
	winStart, winEnd := -1, -1
	flush := func() {
		if winStart < 0 {
			return
		}
		if !containsAnyFold(data[winStart:winEnd], r.Requires) {
			if trace != nil {
				trace(r, "requires", fmt.Sprintf("none of %q near the keyword: regex not run", r.Requires))
			}
			return
		}
		win := data[winStart:winEnd]
		c := r.regexps()
		if c.err == nil && !containsAnyFold(win, c.required) {
			if trace != nil {
				trace(r, "requires", fmt.Sprintf("none of %q, one of which the pattern needs, near the keyword: regex not run", c.required))
			}
			return
		}
		// The window must hold a match of the pattern's tail (tailOf),
		// which costs a fraction of the whole pattern's search.
		if c.tail != nil && !c.tail.Match(win) {
			if trace != nil {
				trace(r, "requires", fmt.Sprintf("no match for the end of the pattern from the secret on, %s: regex not run", c.tail))
			}
			return
		}
		if c.run != nil && !c.run.in(win) {
			if trace != nil {
				trace(r, "requires", fmt.Sprintf("no run of %d or more characters a secret of the pattern is made of: regex not run", c.run.min))
			}
			return
		}
		out = e.matchWindow(data, r, winStart, winEnd, out, trace)
	}
	for _, h := range hits {
		if r.FollowedBy != "" && !followedBy(data, h.end, r.FollowedBy) {
			continue
		}
		if winStart >= 0 && h.start <= winEnd {
			// Inside the current window, so merged whatever its line
			// start: only the end can move, and the look back for the
			// start is saved (git history hands the engine many hits
			// per line).
			winEnd = max(winEnd, windowEnd(data, r, h))
			continue
		}
		ws, we := window(data, r, h)
		if ws <= winEnd {
			winEnd = max(winEnd, we)
			continue
		}
		flush()
		winStart, winEnd = ws, we
	}
	flush()
	return out
}

// followedBy reports whether, after position i, skipping identifier
// characters, quotes and blanks for at most 64 bytes, the next byte is one
// of set.
func followedBy(data []byte, i int, set string) bool {
	for end := min(i+64, len(data)); i < end; i++ {
		c := data[i]
		switch {
		case c == '_' || c == '.' || c == '-' || c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '`' || c == '[' || c == ']' ||
			('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z'):
			continue
		}
		return strings.IndexByte(set, c) >= 0
	}
	return false
}

// containsAnyFold reports whether s holds one of words, ignoring ASCII
// case; no words means no requirement.
func containsAnyFold(s []byte, words []string) bool {
	if len(words) == 0 {
		return true
	}
	for _, w := range words {
		if indexFold(s, w) >= 0 {
			return true
		}
	}
	return false
}

// indexFold is bytes.Index ignoring ASCII case, without allocating: it
// jumps between occurrences of the word's first byte in either case.
func indexFold(s []byte, w string) int {
	lo, up := asciiLowerByte(w[0]), asciiUpperByte(w[0])
	for i := 0; i+len(w) <= len(s); i++ {
		j := bytes.IndexByte(s[i:], lo)
		if up != lo {
			if k := bytes.IndexByte(s[i:], up); k >= 0 && (j < 0 || k < j) {
				j = k
			}
		}
		if j < 0 {
			return -1
		}
		i += j
		if i+len(w) <= len(s) && bytes.EqualFold(s[i:i+len(w)], []byte(w)) {
			return i
		}
	}
	return -1
}

func asciiLowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func asciiUpperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// window is the span of data a rule's regex looks at for one keyword hit.
func window(data []byte, r *Rule, h hit) (int, int) {
	return windowStart(data, h), windowEnd(data, r, h)
}

// windowStart is the start of the keyword's line, at most lineReach back.
// A line continued from the one before (a shell command or C macro cut
// with a trailing backslash) starts where that one does: `curl \` on one
// line and `-u user:password` on the next are one command.
func windowStart(data []byte, h hit) int {
	lo := max(h.start-lineReach, 0)
	start := lo
	if nl := bytes.LastIndexByte(data[lo:h.start], '\n'); nl >= 0 {
		start = lo + nl + 1
	}
	for start > lo && continued(data[lo:start-1]) {
		prev := lo
		if nl := bytes.LastIndexByte(data[lo:start-1], '\n'); nl >= 0 {
			prev = lo + nl + 1
		}
		start = prev
	}
	return start
}

// continued reports whether text before a line break ends with a
// backslash (a CR before the break allowed).
func continued(line []byte) bool {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	return len(line) > 0 && line[len(line)-1] == '\\'
}

// windowEnd is the end of the keyword's line (at most lineReach on),
// taking in the lines it continues with trailing backslashes, or Window
// bytes past the keyword for rules that span lines.
func windowEnd(data []byte, r *Rule, h hit) int {
	reach := lineReach
	if r.Window > 0 {
		reach = r.Window
	}
	hi := min(h.end+reach, len(data))
	if r.Window > 0 {
		return hi
	}
	end := h.end
	for {
		nl := bytes.IndexByte(data[end:hi], '\n')
		if nl < 0 {
			return hi
		}
		end += nl
		if !continued(data[h.end:end]) {
			return end
		}
		end++
	}
}

func (e *Engine) matchWindow(data []byte, r *Rule, ws, we int, out []rawMatch, trace Tracer) []rawMatch {
	c := r.regexps()
	if c.err != nil {
		return out // cannot happen for a rule that passed Compile
	}
	locs, groups := c.matches(r, data[ws:we])
	for _, loc := range locs {
		s, t := loc[0], loc[1]
		for _, g := range groups.secret {
			if loc[2*g] >= 0 {
				s, t = loc[2*g], loc[2*g+1]
				break
			}
		}
		if s == t {
			continue
		}
		m := rawMatch{
			rule: r, start: ws + s, end: ws + t, mstart: ws + loc[0], mend: ws + loc[1],
			secret:    string(data[ws+s : ws+t]),
			matchText: string(data[ws+loc[0] : ws+loc[1]]),
		}
		if g := groups.key; g > 0 && loc[2*g] >= 0 {
			m.key = string(data[ws+loc[2*g] : ws+loc[2*g+1]])
		}
		if trace != nil {
			trace(r, "regex", fmt.Sprintf("matched %q, secret %q", m.matchText, m.secret))
		}
		if reason := e.reject(data, &m); reason != "" {
			if trace != nil {
				trace(r, "rejected", reason)
			}
			if m.failedValidation {
				out = append(out, m)
			}
			continue
		}
		if trace != nil {
			trace(r, "finding", fmt.Sprintf("entropy %.2f", m.entropy))
		}
		out = append(out, m)
	}
	return out
}

// reject applies, cheapest first, every check that can turn a regex hit
// into a non-finding, and says which one did.
func (e *Engine) reject(data []byte, m *rawMatch) string {
	r := m.rule
	if r.silencer {
		m.failedValidation = true
		return "rule disabled by config"
	}
	line := lineAround(data, m.start, m.end)
	if inlineAllowed(line) {
		return "inline sprawl:allow / gitleaks:allow on the line"
	}
	m.entropy = ShannonEntropy(m.secret)
	if r.MinEntropy > 0 && m.entropy < r.MinEntropy {
		return fmt.Sprintf("entropy %.2f below %.2f", m.entropy, r.MinEntropy)
	}
	c := r.allowRegexps()
	for _, a := range c.allow {
		if a.MatchString(m.secret) {
			return "rule allow pattern " + a.String()
		}
	}
	for _, a := range c.allowMatch {
		if a.MatchString(m.matchText) {
			return "rule allow-match pattern " + a.String()
		}
	}
	if r.isGeneric() && len(line) > minifiedLine {
		return "generic rule on a minified line"
	}
	validated := false
	if r.validator != nil {
		if err := r.validator(m.secret); err != nil {
			m.failedValidation = true
			return fmt.Sprintf("validator %s: %v", r.Validate, err)
		}
		validated = true
	}
	// A secret whose structure was verified is not a placeholder; only the
	// user's own allowlist applies to it (a long key body can contain a
	// stopword such as "fake" by chance).
	if reason := e.allow.rejectSecret(m.secret, m.key, r.isGeneric(), validated); reason != "" {
		return reason
	}
	return ""
}

// minifiedLine is the line length past which a file is treated as a
// minified bundle, where only rules with a distinctive format are trusted.
const minifiedLine = 2000

func (r *Rule) isGeneric() bool {
	for _, t := range r.Tags {
		if t == "generic" {
			return true
		}
	}
	return false
}

// preferSpecific drops a generic rule's match that overlaps a match of a
// rule with a distinctive format, and exact duplicates. A distinctive
// match that failed its format check (a GitHub token with a wrong
// checksum) still silences fallbacks on its span, then is dropped itself:
// a token that fails its checksum is not a finding under any rule.
func preferSpecific(raws []rawMatch) []rawMatch {
	sort.SliceStable(raws, func(i, j int) bool { return raws[i].start < raws[j].start })
	keep := raws[:0]
	for i, m := range raws {
		drop := false
		for j, o := range raws {
			if i == j || o.end <= m.start || o.start >= m.end {
				continue
			}
			if m.rule.isGeneric() && !o.rule.isGeneric() {
				drop = true
				break
			}
			if o.rule == m.rule && j < i && o.start == m.start && o.end == m.end {
				drop = true
				break
			}
			if m.decoded != "" && o.decoded == "" && o.rule == m.rule && decodesTo(o.secret, m.secret) {
				drop = true // found as it is written: the decoded copy adds nothing
				break
			}
			if m.rule.isGeneric() && o.rule.isGeneric() && (o.end-o.start > m.end-m.start || (o.end-o.start == m.end-m.start && j < i)) {
				drop = true // two fallback rules on one value: keep the longer
				break
			}
		}
		if !drop {
			keep = append(keep, m)
		}
	}
	out := keep[:0]
	for _, m := range keep {
		if !m.failedValidation {
			out = append(out, m)
		}
	}
	return out
}

// decodesTo reports whether a secret found as written is the one found
// in decoded text, as it is or with its percent-encoding undone (an Azure
// SAS signature's %2B and %3D).
func decodesTo(written, decoded string) bool {
	if written == decoded {
		return true
	}
	d, err := url.QueryUnescape(written)
	return err == nil && d == decoded
}

// locate turns chunk-relative matches into findings with line numbers.
func (e *Engine) locate(c sources.Chunk, raws []rawMatch) []Finding {
	sort.SliceStable(raws, func(i, j int) bool { return raws[i].start < raws[j].start })
	out := make([]Finding, 0, len(raws))
	line, pos := c.StartLine, 0
	if line == 0 {
		line = 1
	}
	for _, m := range raws {
		line += bytes.Count(c.Data[pos:m.start], []byte{'\n'})
		pos = m.start
		lineStart := bytes.LastIndexByte(c.Data[:m.start], '\n') + 1
		endLine := line + bytes.Count(c.Data[m.start:m.end], []byte{'\n'})
		endLineStart := bytes.LastIndexByte(c.Data[:m.end], '\n') + 1
		col := m.start - lineStart + 1
		if m.start == 0 && c.StartOffset > 0 {
			col = 0 // unknown: the line began in the previous chunk
		}
		out = append(out, Finding{
			Rule:      m.rule,
			Secret:    m.secret,
			Match:     m.matchText,
			LineText:  ContextLine(c.Data, m.start, m.end, maxLineText),
			Origin:    c.Origin,
			Line:      line,
			Column:    max(col, 1),
			EndLine:   endLine,
			EndColumn: max(m.end-endLineStart, 1),
			Offset:    c.StartOffset + int64(m.start),
			Entropy:   m.entropy,
			Decoded:   m.decoded,
		})
	}
	return out
}

// lineAround returns the full lines that hold data[start:end].
func lineAround(data []byte, start, end int) []byte {
	ls := bytes.LastIndexByte(data[:start], '\n') + 1
	le := bytes.IndexByte(data[end:], '\n')
	if le < 0 {
		le = len(data)
	} else {
		le += end
	}
	return data[ls:le]
}

// ContextLine returns the line around data[start:end], cut to limit bytes
// centred on that span so that a minified line still shows it.
func ContextLine(data []byte, start, end, limit int) string {
	ls := bytes.LastIndexByte(data[:start], '\n') + 1
	le := bytes.IndexByte(data[end:], '\n')
	if le < 0 {
		le = len(data)
	} else {
		le += end
	}
	if le-ls > limit {
		spare := max(limit-(end-start), 0) / 2
		ls = max(ls, start-spare)
		le = min(le, end+spare)
	}
	// The NUL is the end of a binary file's describing line (see
	// sources.KeystoreKind), which no text line holds.
	return string(bytes.TrimRight(data[ls:le], "\r\x00"))
}

// asciiLower lowers the ASCII letters of a keyword (other bytes, UTF-8
// included, are kept), as the keyword automaton's byte classes fold them.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = asciiLowerByte(c)
	}
	return string(b)
}

func appendUnique(s []int, v int) []int {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
