package detect

import (
	"sync"

	ahocorasick "github.com/coregx/ahocorasick"
)

// KeywordSet finds many keywords in one pass, ignoring ASCII case. The
// detection engine selects rules with one and the classifier selects
// reference forms with another.
//
// The automaton is a fully resolved DFA over byte classes, with the match
// flag carried in each transition (github.com/coregx/ahocorasick): on
// source code it finds every overlapping occurrence about twice as fast
// as the NFA/DFA pair it replaced, allocates once per call rather than
// once per occurrence, and builds in about 10 ms, once per process, so
// it is built up front rather than in the background. It matches bytes
// exactly, so keywords are stored in lower case and each input is lowered
// into a pooled buffer first (appendLower, at memory speed).
type KeywordSet struct {
	a *ahocorasick.Automaton // nil when there is no keyword to find
	// index maps the automaton's pattern number to the caller's keyword
	// index (empty keywords are left out of the automaton).
	index []int
}

// NewKeywordSet builds the automaton for keywords.
func NewKeywordSet(keywords []string) *KeywordSet {
	k := &KeywordSet{}
	var words []string
	for i, w := range keywords {
		if w == "" {
			continue
		}
		words = append(words, asciiLower(w))
		k.index = append(k.index, i)
	}
	if len(words) > 0 {
		// Build fails only on an empty list or an empty keyword, both
		// excluded above.
		k.a, _ = ahocorasick.NewBuilder().AddStrings(words).Build()
	}
	return k
}

// lowered holds the lower-case copies Each scans.
var lowered = sync.Pool{New: func() any { return new([]byte) }}

// Each calls fn for every occurrence of every keyword in data, overlapping
// ones included, with the keyword's index and the occurrence's span, until
// fn returns false.
func (k *KeywordSet) Each(data []byte, fn func(keyword, start, end int) bool) {
	if k.a == nil || len(data) == 0 {
		return
	}
	bp := lowered.Get().(*[]byte)
	low := appendLower((*bp)[:0], data)
	found := k.a.FindAllOverlapping(low)
	*bp = low
	lowered.Put(bp)
	for _, m := range found {
		if !fn(k.index[m.PatternID], m.Start, m.End) {
			return
		}
	}
}
