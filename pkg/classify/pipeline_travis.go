package classify

import (
	"regexp"
	"strings"
)

// travisEnv is where .travis.yml lists NAME=value strings.
var travisEnv = regexp.MustCompile(`^env(?:\.(?:global|jobs|matrix))?(?:\[\d+\])?$`)

// assignment is one NAME=value of an environment string; quoted values
// may hold spaces.
var assignment = regexp.MustCompile(`(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)`)

// travis reads Travis CI's env strings ("NAME=value OTHER=value"), which
// the structure walk sees as one value: each assignment becomes a key of
// its own, so a literal under a secret-named one is reported.
func (s *pipelineScan) travis() {
	var split []Leaf
	for _, l := range s.leaves {
		if !travisEnv.MatchString(l.Path) || !strings.Contains(l.Value, "=") {
			continue
		}
		// Offsets are only right where the value is written as is (not
		// an escaped double-quoted scalar).
		if l.Start+len(l.Value) > len(s.ch.Data) || string(s.ch.Data[l.Start:l.Start+len(l.Value)]) != l.Value {
			continue
		}
		for _, m := range assignment.FindAllStringSubmatchIndex(l.Value, -1) {
			vs, ve := m[4], m[5]
			if ve-vs >= 2 && (l.Value[vs] == '"' || l.Value[vs] == '\'') {
				vs, ve = vs+1, ve-1
			}
			split = append(split, Leaf{Path: l.Path + "." + l.Value[m[2]:m[3]], Key: l.Value[m[2]:m[3]], Value: l.Value[vs:ve],
				Line: l.Line, Start: l.Start + vs, End: l.Start + ve})
		}
	}
	s.literalLeaves(split, FormatYAML)
}

// literalLeaves reports literals of secret-named keys among leaves a
// pipeline reader made (the generic pass never saw them), unless a finding
// already holds their line.
func (s *pipelineScan) literalLeaves(leaves []Leaf, format Format) {
	if len(leaves) == 0 {
		return
	}
	for _, f := range s.c.literals(s.ch, nil, leaves, nil, s.lines, format) {
		taken := false
		for _, g := range s.out {
			if g.Line == f.Line && (g.Reference == nil || s.rel(g) < s.rel(f)+len(f.Match) && s.rel(f) < s.rel(g)+len(g.Match)) {
				taken = true
				break
			}
		}
		if !taken {
			s.out = append(s.out, f)
			s.secrets[f.Key] = secretSource{}
		}
	}
}
