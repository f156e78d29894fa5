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

// allOccurrences collects what Each reports, in its order.
func allOccurrences(k *KeywordSet, data []byte) []occurrence {
	var got []occurrence
	k.Each(data, func(kw, start, end int) bool {
		got = append(got, occurrence{kw, start, end})
		return true
	})
	return got
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
		got := allOccurrences(k, data)
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

// Inputs of splitMin bytes and more are scanned as two halves at once;
// occurrences near and across the middle must be reported once, in order
// of their end, and a stop in either half must stop the scan.
func TestKeywordSetLongInputsInOrder(t *testing.T) {
	keywords := []string{"secret", "client_secret", "API_KEY", "key", "ke", "xoxb-", "-----BEGIN", "a"}
	k := NewKeywordSet(keywords)
	rng := rand.New(rand.NewSource(11))
	pieces := []string{"Client_Secret", "api_key", "KEY", "xoxB-", "-----begin", "ke", "se", "cret", " ", "\n", "xyz", "é", "\x00", "bbbb"}
	for round := 0; round < 200; round++ {
		var b bytes.Buffer
		for b.Len() < splitMin+rng.Intn(3*splitMin) {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		data := b.Bytes()
		got := allOccurrences(k, data)
		for i := 1; i < len(got); i++ {
			if got[i].end < got[i-1].end {
				t.Fatalf("occurrence %v reported after %v", got[i], got[i-1])
			}
		}
		want := naiveOccurrences(keywords, data)
		sortOccurrences(got)
		sortOccurrences(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("round %d: got %d occurrences, want %d", round, len(got), len(want))
		}
		// Stop at an occurrence in the first half, then in the second.
		for _, stopAt := range []int{len(want) / 4, 3 * len(want) / 4} {
			calls := 0
			k.Each(data, func(int, int, int) bool { calls++; return calls <= stopAt })
			if calls != stopAt+1 {
				t.Fatalf("round %d: Each went on after fn returned false: %d calls, want %d", round, calls, stopAt+1)
			}
		}
	}
}
