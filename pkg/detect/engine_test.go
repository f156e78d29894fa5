package detect

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// testRules are small rules written for engine tests, independent of the
// shipped rule set so that rule edits cannot break these tests.
func testRules(t *testing.T) []*Rule {
	t.Helper()
	rs, err := ParseRules([]byte(`
rules:
  - id: test-token
    title: Test token
    provider: Test
    keywords: [tsk_]
    pattern: '\b(tsk_[0-9A-Za-z]{24})\b'
    min-entropy: 3
    examples: ['tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd']
    counter-examples: ['tsk_short']
  - id: test-generic
    title: Generic secret
    provider: Generic
    keywords: [secret]
    pattern: '(?i)secret\s*[:=]\s*["'']?([0-9A-Za-z_\-]{12,})'
    min-entropy: 3
    tags: [generic]
    examples: ['secret = "q8Zr4LmN2vXw7Tp"']
    counter-examples: ['secret = "aaaaaaaaaaaaaaaa"']
  - id: test-pem
    title: Test key block
    provider: Test
    keywords: ['-----BEGIN TEST KEY-----']
    pattern: '-----BEGIN TEST KEY-----[\s\S]{10,}?-----END TEST KEY-----'
    window: 4096
    examples: ["-----BEGIN TEST KEY-----\nabcdefghijkl\n-----END TEST KEY-----"]
    counter-examples: ['-----BEGIN TEST KEY-----']
`), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func newTestEngine(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := NewEngine(testRules(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func scan(e *Engine, s string) []Finding {
	return e.Scan(sources.Chunk{Data: []byte(s), Origin: &sources.Origin{Path: "t"}, StartLine: 1})
}

func ids(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule.ID)
	}
	return strings.Join(out, ",")
}

func TestKeywordsAreCaseInsensitive(t *testing.T) {
	e := newTestEngine(t, Options{})
	got := scan(e, `SECRET: "q8Zr4LmN2vXw7Tp"`)
	if ids(got) != "test-generic" {
		t.Fatalf("got %q", ids(got))
	}
}

func TestLineAndColumn(t *testing.T) {
	e := newTestEngine(t, Options{})
	got := scan(e, "first line\nsecond\n  x = tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd\n")
	if len(got) != 1 {
		t.Fatalf("want 1 finding, got %d", len(got))
	}
	f := got[0]
	if f.Line != 3 || f.Column != 7 || f.EndLine != 3 || f.EndColumn != 34 {
		t.Errorf("position = %d:%d-%d:%d, want 3:7-3:34", f.Line, f.Column, f.EndLine, f.EndColumn)
	}
	if f.Offset != 24 {
		t.Errorf("offset = %d, want 24", f.Offset)
	}
	if f.LineText != "  x = tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd" {
		t.Errorf("line text = %q", f.LineText)
	}
}

func TestSpecificRuleWinsOverGeneric(t *testing.T) {
	e := newTestEngine(t, Options{})
	got := scan(e, `secret = "tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd"`)
	if ids(got) != "test-token" {
		t.Fatalf("got %q, want only the specific rule", ids(got))
	}
}

func TestInlineAllow(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, marker := range []string{"# sprawl:allow", "// gitleaks:allow"} {
		if got := scan(e, "k = tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd "+marker); len(got) != 0 {
			t.Errorf("%s: got %q", marker, ids(got))
		}
	}
	// The marker allows its own line only.
	got := scan(e, "a = 1 # sprawl:allow\nk = tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd")
	if len(got) != 1 || got[0].Line != 2 {
		t.Errorf("marker on another line suppressed the finding: %q", ids(got))
	}
}

func TestPlaceholdersAndStopwords(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, s := range []string{
		`secret = "${SECRET_VALUE_FROM_ENV}"`,
		`secret = "<your-secret-here>"`,
		`secret = "changeme-changeme"`,
		`secret: "xxxxxxxxxxxxxxxx"`,
		`secret = "EXAMPLEKEY1234567"`,
		`secret = "0b7c4a0e-6f1d-4c6a-9d55-7e2f8b1c3a90"`,
		`secret = "3f786850e387550fdab836ed7e6dc881de23001b"`,
	} {
		if got := scan(e, s); len(got) != 0 {
			t.Errorf("%s: got %q (%q)", s, ids(got), got[0].Secret)
		}
	}
}

func TestAllowlistFromConfig(t *testing.T) {
	e := newTestEngine(t, Options{Allow: &Allowlist{
		Paths:     []string{"**/fixtures/**"},
		Regexes:   []string{`^tsk_9fQ2`},
		Stopwords: []string{"q8zr4"},
	}})
	if got := scan(e, "tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd"); len(got) != 0 {
		t.Errorf("regex allowlist ignored")
	}
	if got := scan(e, `secret = "q8Zr4LmN2vXw7Tp"`); len(got) != 0 {
		t.Errorf("stopword ignored")
	}
	if !e.PathAllowed("a/fixtures/b.txt") || e.PathAllowed("src/main.go") {
		t.Errorf("path allowlist wrong")
	}
	if !e.PathAllowed("web/package-lock.json") || !e.PathAllowed("go.sum") || !e.PathAllowed("a/b/c/Cargo.lock") {
		t.Errorf("lock files are not excluded")
	}
	for _, p := range []string{"go.sum.bak", "yarn.lock/notes.txt", "my-go.sum", "cargo.lock.md"} {
		if e.PathAllowed(p) {
			t.Errorf("%s is excluded as a lock file", p)
		}
	}
}

func TestMultilineWindow(t *testing.T) {
	e := newTestEngine(t, Options{})
	body := "-----BEGIN TEST KEY-----\n" + strings.Repeat("QUJDREVGR0hJSktMTU5PUA==\n", 20) + "-----END TEST KEY-----\n"
	got := scan(e, "prefix\n"+body)
	if ids(got) != "test-pem" || got[0].Line != 2 || got[0].EndLine != 23 {
		t.Fatalf("got %q", ids(got))
	}
}

func TestDecodesBase64AndPercent(t *testing.T) {
	e := newTestEngine(t, Options{Decode: true})
	enc := base64.StdEncoding.EncodeToString([]byte("token: tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd\n"))
	got := scan(e, "data:\n  config: "+enc+"\n")
	if len(got) != 1 || got[0].Decoded != "base64" || got[0].Line != 2 {
		t.Fatalf("base64: got %+v", got)
	}
	pct := url.QueryEscape("tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd") // nothing to escape: no decoding finding
	if pct != "tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd" {
		t.Fatal("unexpected escaping")
	}
	got = scan(e, "https://h/?q=secret%3D%22q8Zr4LmN2vXw7Tp%22")
	if len(got) != 1 || got[0].Decoded != "percent" {
		t.Fatalf("percent: got %+v", got)
	}
	off := newTestEngine(t, Options{})
	if got := scan(off, "data:\n  config: "+enc+"\n"); len(got) != 0 {
		t.Fatalf("decoding off still decoded")
	}
}

func TestGenericSkipsMinifiedLines(t *testing.T) {
	e := newTestEngine(t, Options{})
	line := strings.Repeat("var a=1;", 400) + `secret="q8Zr4LmN2vXw7Tp";` + "tsk_9fQ2mZx7Lp4RvB8nK3sW6yTd"
	if got := ids(scan(e, line)); got != "test-token" {
		t.Fatalf("got %q, want only the specific rule on a minified line", got)
	}
}

func TestValidators(t *testing.T) {
	cases := []struct {
		name, v, s string
		ok         bool
	}{
		{"gh ok", "github-checksum", "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", true},
		{"gh bad", "github-checksum", "ghp_RFbD56TI2smTyVsGd5Xav0yu99ZAMP0k7ho7", false},
		{"jwt ok", "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.3Q0U8nYKzC1jVvE7wqfR2mXo4tLb9aGhPs6dNkZyWuI", true},
		{"jwt HS256 cut short", "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.3Q0U8nYKzC1jVvE7wqfR2mXo4tL", false},
		{"jwt RS256 too short", "jwt", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.3Q0U8nYKzC1jVvE7wqfR2mXo4tLb9aGhPs6dNkZyWuI", false},
		{"jwt unknown alg", "jwt", "eyJhbGciOiJGT08ifQ.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl", true},
		{"jwt encrypted", "jwt", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl", true},
		{"jwt no alg", "jwt", "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxMjMifQ.c2ln", false},
		{"jwt not json", "jwt", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", false},
		{"pem bad end", "pem", "-----BEGIN RSA PRIVATE KEY-----\nQUJD\n-----END EC PRIVATE KEY-----", false},
	}
	for _, c := range cases {
		err := validators[c.v](c.s)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestEntropy(t *testing.T) {
	if h := ShannonEntropy("aaaa"); h != 0 {
		t.Errorf("entropy(aaaa) = %v", h)
	}
	if h := ShannonEntropy("abcd"); h != 2 {
		t.Errorf("entropy(abcd) = %v", h)
	}
}

func TestFailedChecksumSilencesFallbackRules(t *testing.T) {
	rs, err := ParseRules([]byte(`
rules:
  - id: gh
    title: GitHub token
    provider: GitHub
    keywords: [ghp_]
    pattern: '\b(ghp_[0-9A-Za-z]{36})\b'
    validate: github-checksum
    examples: []
    counter-examples: []
`), "gh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(append(rs, testRules(t)...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := scan(e, `secret = "ghp_RFbD56TI2smTyVsGd5Xav0yu99ZAMP0k7ho7"`); len(got) != 0 {
		t.Fatalf("token with a bad checksum reported by %q", ids(got))
	}
	if got := ids(scan(e, `secret = "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"`)); got != "gh" {
		t.Fatalf("valid token: got %q", got)
	}
}

func TestFollowedByPrunesProse(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{`password = "x"`, true},
		{`"api_token": "x"`, true},
		{`var token string = "x"`, true},
		{`$token .= "x"`, true},
		{`the token passed the test`, false},
		{`password`, false},
	}
	for _, c := range cases {
		i := strings.Index(strings.ToLower(c.text), "token")
		if i < 0 {
			i = strings.Index(c.text, "password")
			i += len("password")
		} else {
			i += len("token")
		}
		if got := followedBy([]byte(c.text), i, "=:?|<"); got != c.want {
			t.Errorf("%q: followedBy = %v, want %v", c.text, got, c.want)
		}
	}
}

// Recognises answers what Check's trace says about reaching the regex.
func TestRecognisesAgreesWithCheck(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, line := range []string{
		`secret = "q8Zr4LmN2vXw7Tp"`,
		`secret = "aaaaaaaaaaaaaaaa"`, // matched, then rejected: still recognised
		`tsk_short`,
		`nothing to see`,
		`the secret passed`,
	} {
		want := false
		for _, tr := range e.Check([]byte(line)) {
			if tr.Stage == "regex" {
				want = true
			}
		}
		if got := e.Recognises([]byte(line)); got != want {
			t.Errorf("%q: Recognises = %v, Check says %v", line, got, want)
		}
	}
}

func TestIndexFold(t *testing.T) {
	for _, c := range []struct {
		s, w string
		want int
	}{
		{"machine x login y PassWord z", "password", 18},
		{"no such word", "password", -1},
		{"pass", "password", -1},
		{"PPPassword", "password", 2},
		{"u:p@host", "@", 3},
		{"", "@", -1},
		{"Name: db_password", "name", 0},
	} {
		if got := indexFold([]byte(c.s), c.w); got != c.want {
			t.Errorf("indexFold(%q, %q) = %d, want %d", c.s, c.w, got, c.want)
		}
	}
	if !containsAnyFold([]byte("anything"), nil) {
		t.Error("no required words must mean no requirement")
	}
}

// TestRequiresSkipsWindows: a rule keyed on a common word runs its regex
// only where a required word is near, and still finds what it should.
func TestRequiresSkipsWindows(t *testing.T) {
	r := &Rule{ID: "t", Title: "t", Provider: "t", Keywords: []string{"default"}, Requires: []string{"password"},
		Pattern: `(?i)\bdefault\s+password\s+(?P<secret>\S{4,})`}
	e, err := NewEngine([]*Rule{r}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := scanString(e, "default PASSWORD Xk2v9QpL7mZt"); len(got) != 1 {
		t.Fatalf("found %d, want 1", len(got))
	}
	var stages []string
	for _, tr := range e.Check([]byte("switch (x) { default: break; }")) {
		stages = append(stages, tr.Stage)
	}
	if !slices.Contains(stages, "requires") {
		t.Errorf("trace %v lacks the requires stage", stages)
	}
}

// Allow lists compile on a rule's first match, but a broken one must still
// be an error when a rule is compiled eagerly (config rules, rule files).
func TestCompileReportsBrokenAllowPatterns(t *testing.T) {
	for _, field := range []string{"allow", "allow-match"} {
		_, err := ParseRules([]byte(`
rules:
  - id: broken-allow
    title: t
    provider: p
    keywords: [tok]
    pattern: 'tok_([a-z0-9]{8})'
    `+field+`: ['(unclosed']
`), "broken.yaml")
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: ParseRules error = %v, want one naming the field", field, err)
		}
	}
}
