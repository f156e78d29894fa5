package detect

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

type occurrence struct{ keyword, start, end int }

// naiveOccurrences finds every occurrence of every keyword, ignoring
// ASCII case, one position at a time: the reference Each must agree with.
func naiveOccurrences(keywords []string, data []byte) []occurrence {
	var out []occurrence
	for i := range data {
		for k, w := range keywords {
			if w != "" && i+len(w) <= len(data) && bytes.EqualFold(data[i:i+len(w)], []byte(w)) {
				out = append(out, occurrence{k, i, i + len(w)})
			}
		}
	}
	return out
}

func sortOccurrences(o []occurrence) {
	slices.SortFunc(o, func(a, b occurrence) int {
		if a.start != b.start {
			return a.start - b.start
		}
		if a.end != b.end {
			return a.end - b.end
		}
		return a.keyword - b.keyword
	})
}

// Each must report every occurrence, overlapping and nested ones
// included (secret inside client_secret, key inside api_key), whatever
// the case, with the caller's keyword index even when an empty keyword is
// left out of the automaton.
func TestKeywordSetFindsEveryOccurrence(t *testing.T) {
	keywords := []string{"secret", "client_secret", "", "API_KEY", "key", "ke", "xoxb-", "-----BEGIN", "$("}
	k := NewKeywordSet(keywords)
	rng := rand.New(rand.NewSource(7))
	pieces := []string{"Client_Secret", "api_key", "KEY", "xoxB-", "-----begin", "$(", "ke", "se", "cret", " ", "\n", "x", "é", "\x00"}
	for round := 0; round < 300; round++ {
		var b bytes.Buffer
		for n := rng.Intn(40); n > 0; n-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		data := b.Bytes()
		var got []occurrence
		k.Each(data, func(kw, start, end int) bool {
			got = append(got, occurrence{kw, start, end})
			return true
		})
		want := naiveOccurrences(keywords, data)
		sortOccurrences(got)
		sortOccurrences(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("input %q:\n got %v\nwant %v", data, got, want)
		}
	}
}

func TestKeywordSetStopsWhenAsked(t *testing.T) {
	k := NewKeywordSet([]string{"a"})
	calls := 0
	k.Each([]byte("aaaa"), func(int, int, int) bool { calls++; return calls < 2 })
	if calls != 2 {
		t.Fatalf("Each went on after fn returned false: %d calls", calls)
	}
	NewKeywordSet(nil).Each([]byte("anything"), func(int, int, int) bool {
		t.Fatal("an empty keyword set found something")
		return false
	})
}
