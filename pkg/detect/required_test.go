package detect

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
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

func TestSecretTail(t *testing.T) {
	cases := []struct {
		pattern     string
		match, miss []string // texts the tail must and must not match; none: no tail
	}{
		// The quote before the secret starts the tail; the capture goes and
		// the bound on the value's length is dropped.
		{`(?:key|token)\s*=\s*"(?P<secret>[a-z0-9]{6,20})"`,
			[]string{`"abc123"`, `x = "` + strings.Repeat("a", 40) + `"`}, []string{`"abc12"`, `token = abc123`, `'abc123'`, `abc123"`}},
		// Case folding carries over.
		{`(?i)password\s*:\s*'(?P<secret>abc[0-9]{2,4})'`,
			[]string{`'ABC12'`, `'abc123456'`}, []string{`'abd12'`, `"abc12"`}},
		// No sequence at the top: nothing to cut.
		{`(?P<secret>sk_[a-z]{10})|(?P<secret2>pk_[a-z]{10})`, nil, nil},
		// The secret right after the first part: the tail is the pattern.
		{`token=(?P<secret>[a-z]{10})`, nil, nil},
		// A tail that starts with optional blanks would match almost any line.
		{`user\s*=\s*\w+;\s*pwd\s*=\s*(?P<secret>\w{8,})`, nil, nil},
	}
	for _, c := range cases {
		tail := secretTail(c.pattern)
		if (tail != "") != (c.match != nil) {
			t.Errorf("secretTail(%q) = %q", c.pattern, tail)
			continue
		}
		if tail == "" {
			continue
		}
		re := regexp.MustCompile(tail)
		for _, m := range c.match {
			if !re.MatchString(m) {
				t.Errorf("tail %q of %q does not match %q", tail, c.pattern, m)
			}
		}
		for _, m := range c.miss {
			if re.MatchString(m) {
				t.Errorf("tail %q of %q matches %q", tail, c.pattern, m)
			}
		}
	}
}

// A window without a match of the tail is never handed to the whole
// pattern, so every match of the whole must hold a match of its tail: checked
// on every rule's examples and counter-examples, and on those texts with
// parts cut out (which is where a wrongly cut tail would show).
func TestSecretTailHoldsInEveryMatch(t *testing.T) {
	all, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	checked, rulesWithTail := 0, 0
	for _, r := range all {
		tail := secretTail(r.Pattern)
		if tail == "" {
			continue
		}
		rulesWithTail++
		re, tre := regexp.MustCompile(r.Pattern), regexp.MustCompile(tail)
		for _, text := range append(slices.Clone(r.Examples), r.CounterExamples...) {
			variants := []string{text}
			for cut := 1; cut < len(text); cut += 3 {
				variants = append(variants, text[:cut-1]+text[cut:])
			}
			for _, v := range variants {
				for _, m := range re.FindAllString(v, -1) {
					checked++
					if !tre.MatchString(m) {
						t.Errorf("%s: match %q does not match its tail %q", r.ID, m, tail)
					}
				}
			}
		}
	}
	if rulesWithTail < 10 || checked < 200 {
		t.Fatalf("only %d rules with a tail and %d matches checked", rulesWithTail, checked)
	}
}

// secretTail is tailOf on a pattern as written; "" when it does not parse.
func secretTail(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	return tailOf(re)
}

// requiredLiterals is required on a pattern as written; nil when it does
// not parse.
func requiredLiterals(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	return required(re)
}
