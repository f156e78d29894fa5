package detect

import (
	"sync/atomic"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// KeywordSet finds many keywords in one pass, ignoring ASCII case. The
// detection engine selects rules with one and the classifier selects
// reference forms with another.
//
// It holds the automaton twice: as an NFA, ready at once (a few ms to
// build), and as a DFA, three to four times faster to run but tens of
// milliseconds to build, so it is built in the background and used once
// ready. A pre-commit hook scanning a few kilobytes never waits for it; a
// large scan switches to it within its first chunks.
type KeywordSet struct {
	nfa ahocorasick.AhoCorasick
	dfa atomic.Pointer[ahocorasick.AhoCorasick]
}

// NewKeywordSet builds the automaton for keywords (at least one).
func NewKeywordSet(keywords []string) *KeywordSet {
	k := &KeywordSet{nfa: buildAutomaton(keywords, false)}
	go func() {
		dfa := buildAutomaton(keywords, true)
		k.dfa.Store(&dfa)
	}()
	return k
}

func buildAutomaton(keywords []string, dfa bool) ahocorasick.AhoCorasick {
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{
		AsciiCaseInsensitive: true,
		MatchKind:            ahocorasick.StandardMatch,
		DFA:                  dfa,
	})
	return b.Build(keywords)
}

// Each calls fn for every occurrence of every keyword in data, overlapping
// ones included, with the keyword's index and the occurrence's span, until
// fn returns false.
func (k *KeywordSet) Each(data []byte, fn func(keyword, start, end int) bool) {
	a := &k.nfa
	if d := k.dfa.Load(); d != nil {
		a = d
	}
	it := a.IterOverlappingByte(data)
	for m := it.Next(); m != nil; m = it.Next() {
		if !fn(m.Pattern(), m.Start(), m.End()) {
			return
		}
	}
}
