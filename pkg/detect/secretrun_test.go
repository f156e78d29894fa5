package detect

import (
	"regexp"
	"regexp/syntax"
	"testing"

	"github.com/sprawl-sec/sprawl/rules"
)

func runFor(t *testing.T, pattern string) *secretRun {
	t.Helper()
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	return secretRunOf(re)
}

// The check is worked out from the secret's syntax: its fewest bytes and
// every byte it may hold; none where a match need not hold the secret, or
// where the secret can be short.
func TestSecretRunOf(t *testing.T) {
	cases := []struct {
		pattern string
		min     int // 0: no check
		in, out string
	}{
		{`\b(?P<secret>pat[A-Za-z0-9]{14}\.[0-9a-f]{64})\b`, 82, "pat", " "},
		{`(?:^|[ \t])-H[ \t]+"(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9A-Fa-f]{16,128})"`, 16, "-Fa9", "gG \""},
		{`key=([A-Z2-7]{16,})`, 16, "AZ27", "a1="},            // group 1 when none is named
		{`(?i)(?P<secret>sk[0-9]{8})`, 10, "SKsk09\xe2", " "}, // (?i)k is also the Kelvin sign
		{`(?P<secret>[^"\s]{12,})`, 12, "a\x80!", "\" \n"},
		{`(?P<secret>.{10,})`, 10, "a\xff", "\n"},
		{`foo(?:=(?P<secret>[a-z]{10}))?`, 0, "", ""}, // a match may lack the secret
		{`(?P<secret>[a-z]{4})`, 0, "", ""},           // too short to be worth it
		{`foo[0-9]{20}`, 0, "", ""},                   // no group: the secret is the whole match
		{`(?P<secret>a{10}|b{3})`, 0, "", ""},         // the shortest branch decides
	}
	for _, tc := range cases {
		run := runFor(t, tc.pattern)
		if tc.min == 0 {
			if run != nil {
				t.Errorf("%s: run of %d, want no check", tc.pattern, run.min)
			}
			continue
		}
		if run == nil {
			t.Errorf("%s: no check, want a run of %d", tc.pattern, tc.min)
			continue
		}
		if run.min != tc.min {
			t.Errorf("%s: run of %d, want %d", tc.pattern, run.min, tc.min)
		}
		for _, b := range []byte(tc.in) {
			if !run.class[b] {
				t.Errorf("%s: byte %q not in the class", tc.pattern, b)
			}
		}
		for _, b := range []byte(tc.out) {
			if run.class[b] {
				t.Errorf("%s: byte %q in the class", tc.pattern, b)
			}
		}
	}
}

// A window passes when it holds a long enough run, wherever it is, and
// only then.
func TestSecretRunIn(t *testing.T) {
	run := runFor(t, `(?P<secret>[0-9a-f]{16})`)
	for text, want := range map[string]bool{
		`curl -H "Accept: application/json" https://example.com`: false,
		`curl -H "X-Token: 0123456789abcdef"`:                    true,
		`0123456789abcdef`:                                       true,
		`0123456789abcde`:                                        false,
		`0123456789abcde 0123456789abcde`:                        false,
		`deadbeef deadbeefdeadbeef`:                              true,
	} {
		if got := run.in([]byte(text)); got != want {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
}

// Every rule's examples hold a run its check accepts, where their secret
// is: the check never turns away a match of the pattern.
func TestSecretRunAcceptsEveryExample(t *testing.T) {
	all, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range all {
		tree, err := syntax.Parse(r.Pattern, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		run := secretRunOf(tree)
		if run == nil {
			continue
		}
		checked++
		re := regexp.MustCompile(r.Pattern)
		for _, ex := range r.Examples {
			for _, m := range re.FindAllStringIndex(ex, -1) {
				if !run.in([]byte(ex[m[0]:m[1]])) {
					t.Errorf("%s: the run check turns away the match %q", r.ID, ex[m[0]:m[1]])
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d rules have a run check", checked)
	}
	t.Logf("%d rules have a run check", checked)
}
