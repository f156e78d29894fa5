package detect

import (
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sprawl-sec/sprawl/rules"
)

// openRepeats opens long counted repeats of one character that no loop
// encloses, and leaves every other repeat as it is.
func TestOpenRepeats(t *testing.T) {
	cases := []struct {
		pattern string
		bounds  []int // the bound of each measuring group, in order
	}{
		{`key="([^"\s]{6,200})"`, []int{200}},
		{`(?i)(?P<key>[\w.\-]{0,40}?pass)\s*=\s*(?P<secret>[A-Za-z0-9]{16,64})\b`, []int{40, 64}},
		{`(?:x[0-9]{2,40})+`, nil},     // under a loop: the group would see only the last round
		{`(?:x[0-9]{2,40}){1,3}`, nil}, // likewise
		{`(?:x[0-9]{2,40})?y`, []int{40}},
		{`[0-9]{2,9}`, nil},        // too short a span to be worth a group
		{`[0-9]{2,10}`, []int{10}}, // just long enough
		{`(?:ab){2,40}`, nil},      // two characters a round
		{`.{1,100}|a{0,30}`, []int{100, 30}},
		{`[0-9]{8}`, nil},
		{`[0-9]{8,}`, nil},
	}
	for _, tc := range cases {
		open := openPattern(tc.pattern)
		if len(tc.bounds) == 0 {
			if open != "" {
				t.Errorf("%s: opened as %s, want it left alone", tc.pattern, open)
			}
			continue
		}
		if _, err := syntax.Parse(open, syntax.Perl); err != nil {
			t.Errorf("%s: open pattern %q does not parse: %v", tc.pattern, open, err)
			continue
		}
		c := &compiledRule{}
		r := &Rule{ID: "t", Pattern: tc.pattern}
		if err := c.build(r); err != nil {
			t.Fatal(err)
		}
		c.regex(r)
		var got []int
		for _, b := range c.groups.bounds {
			got = append(got, b.max)
		}
		if !slices.Equal(got, tc.bounds) {
			t.Errorf("%s: bounds %v, want %v (open pattern %s)", tc.pattern, got, tc.bounds, open)
		}
	}
	if openPattern(`(?P<sprawlbound0_5>a{1,20})`) != "" {
		t.Error("a pattern already using the measuring groups' names was opened")
	}
}

// Every rule's regex, run with its repeats opened and its pattern as
// written as the fallback, reports exactly what the pattern as written
// reports: on the examples and counter-examples, and on variants whose
// measured repeats are stretched to one short of their bound, to it, just
// past it and well past it, alone and next to a copy of the original.
func TestOpenRepeatsMatchLikeWrittenPatterns(t *testing.T) {
	all, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	opened, fellBack, inputs := 0, 0, 0
	for _, r := range all {
		if err := r.Compile(); err != nil {
			t.Fatal(err)
		}
		c := r.regexps().regex(r)
		if len(c.groups.bounds) == 0 {
			continue
		}
		opened++
		w := c.asWritten(r)
		var texts []string
		for _, ex := range append(append([]string(nil), r.Examples...), r.CounterExamples...) {
			texts = append(texts, ex)
			for _, loc := range c.re.FindAllStringSubmatchIndex(ex, -1) {
				for _, b := range c.groups.bounds {
					s, e := loc[2*b.group], loc[2*b.group+1]
					if s < 0 || e == s {
						continue
					}
					last, _ := utf8.DecodeLastRuneInString(ex[s:e])
					have := utf8.RuneCountInString(ex[s:e])
					for _, want := range []int{b.max - 1, b.max, b.max + 1, b.max + 7} {
						if want <= have {
							continue
						}
						long := ex[:e] + strings.Repeat(string(last), want-have) + ex[e:]
						texts = append(texts, long, ex+" "+long, long+"\n"+ex)
					}
				}
			}
		}
		for _, text := range texts {
			inputs++
			locs, g := c.matches(r, []byte(text))
			if g != &c.groups {
				fellBack++
			}
			want := w.re.FindAllStringSubmatchIndex(text, -1)
			if len(locs) != len(want) {
				t.Errorf("%s: %d matches, written pattern %d, in %q", r.ID, len(locs), len(want), text)
				continue
			}
			for i := range locs {
				gs, ge := secretSpan(locs[i], g)
				ws, we := secretSpan(want[i], &w.groups)
				if locs[i][0] != want[i][0] || locs[i][1] != want[i][1] || gs != ws || ge != we || keySpan(locs[i], g) != keySpan(want[i], &w.groups) {
					t.Errorf("%s: match %d is %v (secret %d-%d), written pattern's %v (secret %d-%d), in %q", r.ID, i, locs[i], gs, ge, want[i], ws, we, text)
				}
			}
			if got, want := c.matchesAny(r, []byte(text)), w.re.MatchString(text); got != want {
				t.Errorf("%s: matchesAny %v, written pattern %v, in %q", r.ID, got, want, text)
			}
		}
	}
	if opened < 20 || fellBack == 0 {
		t.Errorf("%d rules opened, %d of %d inputs fell back to the written pattern: the test no longer reaches the bounds", opened, fellBack, inputs)
	}
	t.Logf("%d rules opened; %d of %d inputs fell back to the written pattern", opened, fellBack, inputs)
}

func secretSpan(loc []int, g *groups) (int, int) {
	for _, i := range g.secret {
		if loc[2*i] >= 0 {
			return loc[2*i], loc[2*i+1]
		}
	}
	return loc[0], loc[1]
}

func keySpan(loc []int, g *groups) [2]int {
	if g.key == 0 {
		return [2]int{-1, -1}
	}
	return [2]int{loc[2*g.key], loc[2*g.key+1]}
}

// FuzzOpenRepeats compares, on arbitrary text, every opened rule's
// matches (open pattern, falling back to the written one past a bound)
// with the written pattern's.
func FuzzOpenRepeats(f *testing.F) {
	all, err := LoadRules(rules.FS)
	if err != nil {
		f.Fatal(err)
	}
	var opened []*Rule
	for _, r := range all {
		if err := r.Compile(); err != nil {
			f.Fatal(err)
		}
		if c := r.regexps().regex(r); len(c.groups.bounds) > 0 {
			opened = append(opened, r)
			for _, ex := range r.Examples {
				f.Add(ex)
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, r := range opened {
			c := r.regexps()
			w := c.asWritten(r)
			locs, g := c.matches(r, []byte(text))
			want := w.re.FindAllStringSubmatchIndex(text, -1)
			if len(locs) != len(want) {
				t.Fatalf("%s: %d matches, written pattern %d, in %q", r.ID, len(locs), len(want), text)
			}
			for i := range locs {
				gs, ge := secretSpan(locs[i], g)
				ws, we := secretSpan(want[i], &w.groups)
				if locs[i][0] != want[i][0] || locs[i][1] != want[i][1] || gs != ws || ge != we {
					t.Fatalf("%s: match %d differs from the written pattern's in %q", r.ID, i, text)
				}
			}
		}
	})
}

// openPattern is the open pattern rewrites works out for a pattern as
// written; "" when there is none or it does not parse.
func openPattern(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	_, open := rewrites(pattern, re)
	return open
}
