package detect

import (
	"regexp"
	"slices"
	"testing"

	"github.com/sprawl-sec/sprawl/rules"
)

func TestRequiredLiterals(t *testing.T) {
	cases := []struct {
		pattern string
		want    []string // nil: nothing worth checking
	}{
		{`<server>\s*<password>(?P<secret>[^<]+)</password>`, []string{"</password>"}},
		{`machine\s+\S+\s+password\s+(\S+)`, []string{"password"}},
		{`(?:curl|wget)\s+-u\s+(\S+)`, []string{"curl", "wget"}},
		{`(?:curl|x)\s+(\S+)`, nil},           // a branch too short to check
		{`(?:abc)?def(\d+)`, []string{"def"}}, // an optional part is not required
		{`(?:abcd)*xyz`, []string{"xyz"}},     // nor a starred one
		{`(?:abcd){2,3}xy`, []string{"abcd"}}, // a repeated one is
		{`(?i)auth=(\w+)`, []string{"AUTH="}}, // ASCII folding only: kept (the parser stores it upper-case)
		{`(?i)token=(\w+)`, nil},              // (?i)k also matches the Kelvin sign
		{`(?i)pass=(\w+)`, nil},               // and (?i)s the long s
		{`[a-z]{40}`, nil},                    // no literal at all
		{`(`, nil},                            // not a pattern
	}
	for _, c := range cases {
		if got := requiredLiterals(c.pattern); !slices.Equal(got, c.want) {
			t.Errorf("requiredLiterals(%q) = %q, want %q", c.pattern, got, c.want)
		}
	}
}

// The check may only skip windows the regex cannot match: every built-in
// rule's examples and counter-examples that its pattern matches must hold
// one of its required strings (ignoring ASCII case, as the check does).
func TestRequiredLiteralsHoldInEveryMatch(t *testing.T) {
	all, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range all {
		set := requiredLiterals(r.Pattern)
		if set == nil {
			continue
		}
		re := regexp.MustCompile(r.Pattern)
		for _, text := range append(slices.Clone(r.Examples), r.CounterExamples...) {
			for _, m := range re.FindAllString(text, -1) {
				checked++
				if !containsAnyFold([]byte(m), set) {
					t.Errorf("%s: match %q holds none of %q", r.ID, m, set)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d matches checked", checked)
	}
}

// A keyword that contains a required string already guarantees it.
func TestImpliedByKeywords(t *testing.T) {
	if !impliedByKeywords([]string{"sk_live"}, []string{"SK_LIVE_", "rk_sk_live"}) {
		t.Error("every keyword holds the required string: implied")
	}
	if impliedByKeywords([]string{"password"}, []string{"machine", "password"}) {
		t.Error("a window found by \"machine\" need not hold \"password\"")
	}
	if impliedByKeywords(nil, []string{"x"}) {
		t.Error("an empty set is never implied")
	}
}
