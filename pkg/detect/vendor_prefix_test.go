package detect

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/rules"
)

// prefixKeyword is a keyword shaped like a token prefix: letters and
// digits in segments, ending in the separator the body follows (ghp_,
// xoxp-, sk_live_).
var prefixKeyword = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(?:[_\-][A-Za-z0-9]+)*[_\-]$`)

// minVendorBody is the body length under which a prefixed value is a
// truncated or made-up token rather than any provider's real one.
const minVendorBody = 16

// vendorPrefixes lists the token prefixes of the rule set: keywords of
// non-generic rules that begin the secret of one of the rule's examples.
// It fails the test if an example's body is shorter than minVendorBody,
// which would make the fallbacks' short-body allow hide real tokens.
func vendorPrefixes(t *testing.T, all []*Rule) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range all {
		if r.isGeneric() {
			continue
		}
		e, err := NewEngine([]*Rule{r}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range r.Keywords {
			if len(k) < 4 || !prefixKeyword.MatchString(k) {
				continue
			}
			for _, ex := range r.Examples {
				for _, f := range scanString(e, ex) {
					body, ok := strings.CutPrefix(f.Secret, k)
					if !ok {
						continue
					}
					seen[k] = true
					if len(body) < minVendorBody {
						t.Errorf("%s: example token %s...%s has a body of %d characters; the fallbacks treat a %s value shorter than %d as malformed",
							r.ID, k, body[len(body)-min(len(body), 2):], len(body), k, minVendorBody)
					}
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestFallbacksLeaveMalformedVendorTokens checks that a provider's token
// prefix with a body too short for any provider's token is not reported
// by a fallback rule as a generic secret, while a longer value with the
// prefix still is when the provider's rule does not recognise it (the
// fallbacks stay a safety net for formats a rule is too strict about).
func TestFallbacksLeaveMalformedVendorTokens(t *testing.T) {
	all, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(all, Options{})
	if err != nil {
		t.Fatal(err)
	}
	prefixes := vendorPrefixes(t, all)
	if len(prefixes) < 50 {
		t.Fatalf("only %d token prefixes found in the rule set", len(prefixes))
	}
	const short = "Qx7Lm2Vt9Rk4W" // shorter than minVendorBody
	for _, p := range prefixes {
		for _, sample := range []string{`api_token = "` + p + short + `"`, `AUTH_TOKEN=` + p + short} {
			for _, f := range scanString(e, sample) {
				if f.Rule.isGeneric() {
					t.Errorf("%s reports malformed %s token: %s", f.Rule.ID, p, sample)
				}
			}
		}
	}
	const long = "Qx7Lm2Vt9Rk4Wp8Zs3Nc5Hb1Jd" // no provider's exact format
	for _, p := range []string{"ghp_", "xoxp-", "sm_pat_", "NRAK-"} {
		if sample := `api_token = "` + p + long + `"`; len(scanString(e, sample)) == 0 {
			t.Errorf("a long %s value the provider's rule rejects is no longer a generic secret: %s", p, sample)
		}
	}
	// A value that merely contains a prefix, or a bare telegram-like id,
	// is still judged by the fallbacks.
	for _, sample := range []string{`api_token = "Rk4ghp_Wp8Zs3NcQx7Lm2Vt9"`, `AUTH_TOKEN=Zs3xoxp-Lm2Vt9Rk4Wp8Qx7`} {
		if len(scanString(e, sample)) == 0 {
			t.Errorf("not found: %s", sample)
		}
	}
}
