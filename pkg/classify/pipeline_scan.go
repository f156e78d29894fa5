package classify

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// pipelineScan is the CI understanding of one pipeline chunk, added after
// the generic classification: which steps fetch secrets from a manager
// (and which variable names they set), which variables hold secrets, and
// which script lines print them. It amends the chunk's findings in place.
type pipelineScan struct {
	c        *Classifier
	ch       sources.Chunk
	platform Platform
	leaves   []Leaf
	byPath   map[string]int // leaf index by structure path; the first document wins
	lines    *lineIndex
	out      []Finding
	// exports are the names a managed fetch sets (env names, step
	// outputs), so that a later use is managed too.
	exports map[string]export
	// secrets are the variables known to hold a secret in this file.
	secrets map[string]secretSource
	// blocks are the script blocks of a format without structure
	// (Jenkinsfile); nil means: find them in the leaves.
	blocks [][]entry
}

// export is a variable a secrets-manager fetch sets.
type export struct {
	ref  Reference
	line int    // 1-based line of the fetch in the chunk
	step string // step id for step outputs; "" when any step may read it
}

// secretSource is where a variable's secret comes from: the reference it
// was assigned, or the literal written in the file (empty provider).
type secretSource struct {
	provider, target string
}

// pipeline adds what the pipeline reader of the chunk's platform
// understands to the chunk's findings.
func (c *Classifier) pipeline(ch sources.Chunk, platform Platform, leaves []Leaf, lines *lineIndex, found []Finding) []Finding {
	s := &pipelineScan{c: c, ch: ch, platform: platform, leaves: leaves, lines: lines, out: found,
		byPath: map[string]int{}, exports: map[string]export{}, secrets: map[string]secretSource{}}
	for i, l := range leaves {
		if _, ok := s.byPath[l.Path]; !ok {
			s.byPath[l.Path] = i
		}
	}
	switch platform {
	case GitHubActions:
		s.github()
	case AzurePipelines:
		s.azure()
	case Jenkins:
		s.jenkins()
	case TravisCI:
		s.travis()
	}
	s.structuredExports()
	s.fetchedUses()
	s.collectSecrets()
	s.logLeaks()
	return s.out
}

// pattern returns the reference form with the given id (the data is
// loaded and checked at start, so a missing id is a programming error
// that the reference example tests catch).
func (s *pipelineScan) pattern(id string) *Pattern {
	for _, p := range s.c.set.Patterns {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// leaf returns the leaf at a structure path.
func (s *pipelineScan) leaf(path string) (Leaf, bool) {
	i, ok := s.byPath[path]
	if !ok {
		return Leaf{}, false
	}
	return s.leaves[i], true
}

// rel is a finding's offset within the chunk.
func (s *pipelineScan) rel(f Finding) int { return int(f.Offset - s.ch.StartOffset) }

// replaceReference adds a reference occurrence of pattern p at
// [start, end) in place of any generic reference that overlaps it (a
// $NAME the environment form took for externalized) and of the literal
// fallback's reading of the same text (vault-action's secrets: input is
// secret-named, but holds addresses, not values).
func (s *pipelineScan) replaceReference(p *Pattern, start, end int, ref Reference, key, evidence string) {
	s.out = slices.DeleteFunc(s.out, func(f Finding) bool {
		o := s.rel(f)
		generic := f.Reference != nil || f.Rule != nil && f.Rule.ID == LiteralRuleID
		return generic && o < end && start < o+len(f.Match)
	})
	s.addReference(p, start, end, ref, key, evidence)
}

// addReference adds a reference-shaped occurrence of pattern p at
// [start, end): p gives the report metadata, ref what it points at.
func (s *pipelineScan) addReference(p *Pattern, start, end int, ref Reference, key, evidence string) {
	if p == nil || inlineAllowed([]byte(contextLine(s.ch.Data, start, end))) {
		return
	}
	ref.Pattern = p.ID
	f := Finding{
		Finding:   located(s.ch, p.Rule(), "", string(s.ch.Data[start:end]), start, end, s.lines),
		Class:     p.Class,
		Evidence:  evidence,
		Key:       key,
		Format:    FormatOf(pathOf(s.ch)),
		Reference: &ref,
	}
	if p.Class == Unmanaged {
		f.NHI = []string{NHI2}
	}
	s.out = append(s.out, f)
}

func pathOf(ch sources.Chunk) string {
	if ch.Origin == nil {
		return ""
	}
	return ch.Origin.Path
}

// fetch records a managed fetch found by a pipeline reader: a reference
// at the entry's place, and the names it sets.
func (s *pipelineScan) fetch(p *Pattern, start, end int, target, step string, names ...string) {
	if p == nil || target == "" {
		return
	}
	names = slices.DeleteFunc(names, func(n string) bool { return n == "" })
	key := ""
	if len(names) > 0 {
		key = names[0]
	}
	ref := Reference{Provider: p.Provider, Target: target}
	ev := fmt.Sprintf("%s %q", p.Title, target)
	if key != "" {
		ev += " as " + key
	}
	s.replaceReference(p, start, end, ref, key, ev+": "+p.Evidence)
	for _, n := range names {
		s.exports[n] = export{ref: Reference{Pattern: p.ID, Provider: p.Provider, Target: target, Global: p.Global}, line: s.lines.lineOf(start), step: step}
	}
}

// exportName finds the variable a structured fetch sets from its leaf's
// path: GitLab's job.secrets.NAME.vault, Buildkite plugins' env.NAME and
// parameters.NAME.
var exportName = regexp.MustCompile(`(?:^|\.)(?:secrets|env|parameters)\.([A-Za-z_][A-Za-z0-9_]*)(?:\.|$)`)

// structuredExports records the names set by managed references that the
// data forms matched on the structure (GitLab secrets:, Buildkite
// plugins), and names their key after the variable.
func (s *pipelineScan) structuredExports() {
	for i := range s.out {
		f := &s.out[i]
		if f.Reference == nil || f.Class != Managed || f.Reference.Pattern == "ci-fetched-env" {
			continue
		}
		l, ok := s.leafAt(s.rel(*f))
		if !ok {
			continue
		}
		if m := exportName.FindStringSubmatch(l.Path); m != nil {
			f.Key = m[1]
			if _, seen := s.exports[m[1]]; !seen {
				s.exports[m[1]] = export{ref: *f.Reference, line: l.Line}
			}
		}
	}
}

// leafAt returns the leaf whose value starts at off.
func (s *pipelineScan) leafAt(off int) (Leaf, bool) {
	for _, l := range s.leaves {
		if l.Start == off {
			return l, true
		}
	}
	return Leaf{}, false
}

// fetchedUses turns every later use of an exported name into a managed
// reference to what the fetch read, in place of the externalized
// environment reference the generic forms saw.
func (s *pipelineScan) fetchedUses() {
	p := s.pattern("ci-fetched-env")
	if p == nil || len(s.exports) == 0 {
		return
	}
	step, target := p.re.SubexpIndex("step"), p.re.SubexpIndex("target")
	for _, m := range p.re.FindAllSubmatchIndex(s.ch.Data, -1) {
		name := string(s.ch.Data[m[2*target]:m[2*target+1]])
		e, ok := s.exports[name]
		if !ok || s.lines.lineOf(m[0]) <= e.line {
			continue
		}
		if m[2*step] >= 0 && e.step != "" && string(s.ch.Data[m[2*step]:m[2*step+1]]) != e.step {
			continue
		}
		end := m[1]
		if strings.HasPrefix(string(s.ch.Data[m[0]:m[1]]), "${") {
			end = closingBrace(s.ch.Data, end)
		}
		ev := fmt.Sprintf("%s %q: fetched from %s %q at line %d; %s", p.Title, name, e.ref.Provider, e.ref.Target,
			max(s.ch.StartLine, 1)-1+e.line, p.Evidence)
		s.replaceReference(p, m[0], end, Reference{Provider: e.ref.Provider, Target: e.ref.Target, Global: e.ref.Global},
			keyAt(s.ch.Data, m[0], s.leaves), ev)
	}
}

// closingBrace extends a ${...} or ${{ ... }} use to its closing braces.
func closingBrace(data []byte, end int) int {
	for end < len(data) && (data[end] == '}' || data[end] == ' ') {
		if data[end] == '}' && (end+1 >= len(data) || data[end+1] != '}') {
			return end + 1
		}
		end++
	}
	return end
}

// envContainer matches the structure paths of variables: env:,
// variables:, environment:, GitLab's secrets:, plugin parameters:.
var envContainer = regexp.MustCompile(`(?:^|\.)(?:env|variables|environment|secrets|parameters)(?:\.|\[)`)

// collectSecrets learns which variables hold secrets: the variables a
// reference or a literal finding was assigned to, and every exported
// name. Other keys (an action input, a header name in a script) name no
// variable a script could print.
func (s *pipelineScan) collectSecrets() {
	for _, f := range s.out {
		if f.Key == "" || !validVarName(f.Key) {
			continue
		}
		if l, ok := s.leafAt(s.rel(f)); !ok || !envContainer.MatchString(l.Path) {
			continue
		}
		if _, ok := s.secrets[f.Key]; ok {
			continue
		}
		if f.Reference != nil {
			s.secrets[f.Key] = secretSource{f.Reference.Provider, f.Reference.Target}
		} else {
			s.secrets[f.Key] = secretSource{}
		}
	}
	for n, e := range s.exports {
		if _, ok := s.secrets[n]; !ok {
			s.secrets[n] = secretSource{e.ref.Provider, e.ref.Target}
		}
	}
}

func validVarName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// entry is one item of a multi-entry scalar (a line of a block scalar, a
// ;-separated part) with its byte span in the chunk.
type entry struct {
	text       string
	start, end int
}

// maxIndent bounds the gap between two lines of a block scalar.
const maxIndent = 4096

// entries splits a leaf's value into its lines (and each line at seps),
// locating each in the chunk. A line that cannot be located (a folded
// scalar joins lines) is left out rather than pointed at the wrong place.
func entries(data []byte, l Leaf, seps string) []entry {
	var out []entry
	cur := l.Start
	for _, line := range strings.Split(l.Value, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		// The next line is close by (a newline and its indentation):
		// a bounded window keeps a line that is not there from costing a
		// scan of the rest of the chunk.
		window := data[min(cur, len(data)):min(cur+len(line)+maxIndent, len(data))]
		at := bytes.Index(window, []byte(line))
		if at < 0 {
			continue
		}
		base := cur + at
		cur = base + len(line)
		for off := 0; off <= len(line); {
			n := strings.IndexAny(line[off:], seps)
			if seps == "" || n < 0 {
				n = len(line) - off
			}
			if part := line[off : off+n]; strings.TrimSpace(part) != "" {
				lead := len(part) - len(strings.TrimLeft(part, " \t"))
				t := strings.TrimSpace(part)
				out = append(out, entry{text: t, start: base + off + lead, end: base + off + lead + len(t)})
			}
			off += n + 1
		}
	}
	return out
}

// listOrBlock returns the entries of an input given either as a block
// scalar (one per line) or as a YAML list (path[0], path[1], ...).
func (s *pipelineScan) listOrBlock(path, seps string) []entry {
	if l, ok := s.leaf(path); ok {
		return entries(s.ch.Data, l, seps)
	}
	var out []entry
	for i := 0; ; i++ {
		l, ok := s.leaf(fmt.Sprintf("%s[%d]", path, i))
		if !ok {
			return out
		}
		out = append(out, entries(s.ch.Data, l, seps)...)
	}
}
