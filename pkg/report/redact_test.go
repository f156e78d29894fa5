package report

import (
	"encoding/base64"
	"fmt"
	"math/rand"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedactPrefix(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", RedactMarker},
		{"abc", RedactMarker},
		{"abcd", "a" + RedactMarker},
		{"abcdefg", "a" + RedactMarker},
		{"abcdefgh", "ab" + RedactMarker},
		{"abcdefghijklmno", "abc" + RedactMarker},
		{"ghp_R2d2C3poLukeLeiaHanChewieYoda0123456", "ghp_" + RedactMarker},
		{"日本語のパスワードです", "日本" + RedactMarker},
		{"ab\ncdefghijklmnopqrst", "ab" + RedactMarker},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", "----" + RedactMarker},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRedactNeverLeaks checks, over many random secrets, that a redacted
// value holds no 6-character piece of the secret beyond the kept prefix,
// keeps at most a quarter of the secret, and is one line.
func TestRedactNeverLeaks(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []rune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-.:@!#$%^&*()[]{} \n\t日本ü…")
	for i := 0; i < 20000; i++ {
		n := rng.Intn(120)
		rs := make([]rune, n)
		for j := range rs {
			rs[j] = alphabet[rng.Intn(len(alphabet))]
		}
		secret := string(rs)
		got := Redact(secret)
		if !strings.HasSuffix(got, RedactMarker) {
			t.Fatalf("Redact(%q) = %q: no marker", secret, got)
		}
		prefix := strings.TrimSuffix(got, RedactMarker)
		if !strings.HasPrefix(secret, prefix) {
			t.Fatalf("Redact(%q) = %q: prefix is not the secret's", secret, got)
		}
		kept := utf8.RuneCountInString(prefix)
		if kept > maxPrefix || kept*4 > n {
			t.Fatalf("Redact(%q) = %q keeps %d of %d characters", secret, got, kept, n)
		}
		if strings.ContainsAny(got, "\r\n") {
			t.Fatalf("Redact(%q) = %q is not one line", secret, got)
		}
		for j := kept; j+6 <= n; j++ {
			if piece := string(rs[j : j+6]); strings.Contains(got, piece) {
				t.Fatalf("Redact(%q) = %q leaks %q", secret, got, piece)
			}
		}
		// The same must hold when the secret sits in a context line.
		line := "key = " + secret + " # end"
		red := RedactLine(line, secret)
		if n >= 4 && strings.Contains(red, secret) && len(secret) >= 6 {
			t.Fatalf("RedactLine(%q) = %q still holds the secret", line, red)
		}
		if strings.ContainsAny(red, "\r\n") {
			t.Fatalf("RedactLine(%q) = %q is not one line", line, red)
		}
	}
}

func TestRedactLine(t *testing.T) {
	a := "AKIAQWERTYUIOPASDFGH"
	b := "s3cr3t-Passw0rd-123"
	enc := base64.StdEncoding.EncodeToString([]byte("token: " + a))
	for _, tc := range []struct {
		name, line string
		secrets    []string
		gone       []string
	}{
		{"plain", "aws_key = " + a, []string{a}, []string{a}},
		{"neighbours on one line", "k=" + a + " p=" + b, []string{a, b}, []string{a, b}},
		{"base64 of a secret", "data: " + enc, []string{a}, []string{enc, enc[8:30]}},
		{"base64 in a key=value token", "data=" + enc, []string{a}, []string{enc}},
		{"percent-encoded", "url=" + url.QueryEscape("x="+b+"&y=1"), []string{b}, []string{url.QueryEscape(b)[4:]}},
		{"cut at the start", a[5:] + " rest of line", []string{a}, []string{a[5:]}},
		{"cut at the end", "start of line " + a[:12], []string{a}, []string{a[:12]}},
		{"multi-line", "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcN\n-----END KEY-----", []string{"-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcN\n-----END KEY-----"}, []string{"MIIBOgIBAAJBAKj34GkxFhD90vcN", "\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactLine(tc.line, tc.secrets...)
			for _, g := range tc.gone {
				if strings.Contains(got, g) {
					t.Errorf("RedactLine(%q) = %q still holds %q", tc.line, got, g)
				}
			}
			if !strings.Contains(got, RedactMarker) {
				t.Errorf("RedactLine(%q) = %q has no marker", tc.line, got)
			}
		})
	}
	if got := RedactLine("nothing secret here", "AKIAQWERTYUIOPASDFGH"); got != "nothing secret here" {
		t.Errorf("a line without secrets changed: %q", got)
	}
}

// TestContextNeighbours checks that a finding's context hides the other
// secrets on its line, also in a place with too many findings to check
// them all against every line.
func TestContextNeighbours(t *testing.T) {
	for _, n := range []int{2, maxPlaceSecrets * 2} {
		r := fixtureReport()
		base := r.Findings[0]
		r.Findings = nil
		for i := 0; i < n; i += 2 {
			a := fmt.Sprintf("tokenA-%04d-Zq8vR2mXw7", i)
			b := fmt.Sprintf("tokenB-%04d-Kp3nT6yLs1", i)
			line := "a=" + a + " b=" + b
			fa, fb := base, base
			fa.Secret, fa.LineText, fa.Line, fa.EndLine = a, line, i+1, i+1
			fb.Secret, fb.LineText, fb.Line, fb.EndLine = b, line, i+1, i+1
			r.Findings = append(r.Findings, fa, fb)
		}
		got := BuildJSON(r, fixtureOptions())
		for i, f := range got.Findings {
			if strings.Contains(f.Context, "-Zq8vR2mXw7") || strings.Contains(f.Context, "-Kp3nT6yLs1") {
				t.Fatalf("n=%d finding %d context leaks a neighbour: %q", n, i, f.Context)
			}
		}
	}
}
