package report

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// RedactMarker replaces everything of a secret after its kept prefix.
const RedactMarker = "…[REDACTED]"

// maxPrefix is the most of a secret a redacted value keeps: enough to tell
// a ghp_ token from an AKIA key, too little to help anyone guess it.
const maxPrefix = 4

// newlineMarker stands for a line break in flattened context, so that a
// multi-line secret or context never breaks a one-line-per-finding format.
const newlineMarker = "⏎"

// Redact keeps a short prefix of a secret (at most 4 characters and never
// more than a quarter of it, so short secrets keep less or nothing) and
// replaces the rest with RedactMarker. The prefix stops at the first
// space or control character, so the result is always one line.
func Redact(secret string) string {
	keep := min(maxPrefix, utf8.RuneCountInString(secret)/4)
	var b strings.Builder
	for _, r := range secret {
		if keep == 0 || unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			break
		}
		b.WriteRune(r)
		keep--
	}
	b.WriteString(RedactMarker)
	return b.String()
}

// RedactLine hides every given secret inside a line of context: each
// occurrence, each base64 or percent-encoded token that decodes to text
// holding a secret (decoded findings point at the encoded form), and a
// secret's head or tail cut by the context's edges. Line breaks become ⏎
// so that the result is one line. Secrets shorter than 4 bytes are left
// alone: hiding them would redact ordinary words.
func RedactLine(line string, secrets ...string) string {
	secrets = usableSecrets(secrets)
	for _, s := range secrets {
		line = strings.ReplaceAll(line, s, Redact(s))
	}
	line = redactEncoded(line, secrets)
	line = redactEdges(line, secrets)
	return flatten(line)
}

// usableSecrets drops secrets too short to redact safely and sorts the
// rest longest first, so a secret that contains another is replaced whole.
func usableSecrets(secrets []string) []string {
	out := make([]string, 0, len(secrets))
	seen := map[string]bool{}
	for _, s := range secrets {
		if len(s) >= 4 && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// minEncodedToken is the shortest token worth decoding: base64 of a
// 4-byte secret is 8 characters.
const minEncodedToken = 8

// redactEncoded replaces tokens that decode (base64 or percent) to text
// holding one of the secrets.
func redactEncoded(line string, secrets []string) string {
	if len(secrets) == 0 {
		return line
	}
	var b strings.Builder
	i := 0
	for i < len(line) {
		if !isTokenByte(line[i]) {
			b.WriteByte(line[i])
			i++
			continue
		}
		j := i
		for j < len(line) && isTokenByte(line[j]) {
			j++
		}
		tok := line[i:j]
		if len(tok) >= minEncodedToken && decodesToSecret(tok, secrets) {
			b.WriteString(Redact(tok))
		} else {
			b.WriteString(tok)
		}
		i = j
	}
	return b.String()
}

// isTokenByte admits the characters of base64 (both alphabets) and of
// percent-encoded text.
func isTokenByte(c byte) bool {
	return isAlnum(c) || strings.IndexByte("+/=-_%.~", c) >= 0
}

func decodesToSecret(tok string, secrets []string) bool {
	var decoded []string
	if strings.Contains(tok, "%") {
		if d, err := url.QueryUnescape(tok); err == nil {
			decoded = append(decoded, d)
		}
	}
	// A token such as "key=QUJD..." holds base64 after a non-base64 part,
	// so every run of one alphabet is tried, at every alignment (a cut
	// line may start mid-quantum).
	for _, enc := range []struct {
		e     *base64.Encoding
		extra string
	}{{base64.RawStdEncoding, "+/"}, {base64.RawURLEncoding, "-_"}} {
		runs := strings.FieldsFunc(tok, func(r rune) bool {
			return !(r < utf8.RuneSelf && isAlnum(byte(r))) && !strings.ContainsRune(enc.extra, r)
		})
		for _, run := range runs {
			for off := 0; off < 4 && len(run)-off >= minEncodedToken; off++ {
				s := run[off:]
				if len(s)%4 == 1 {
					s = s[:len(s)-1]
				}
				if d, err := enc.e.DecodeString(s); err == nil {
					decoded = append(decoded, string(d))
				}
			}
		}
	}
	for _, d := range decoded {
		for _, s := range secrets {
			if strings.Contains(d, s) {
				return true
			}
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// edgeMin is the shortest cut-off piece of a secret worth hiding at the
// edge of a context line; shorter pieces are too common to mean anything.
const edgeMin = 6

// redactEdges hides the tail of a secret at the start of the line and the
// head of a secret at its end: context is cut to a fixed width around one
// finding and may slice through a neighbour's secret.
func redactEdges(line string, secrets []string) string {
	for _, s := range secrets {
		for k := len(s) - 1; k >= edgeMin; k-- {
			if strings.HasPrefix(line, s[len(s)-k:]) {
				line = RedactMarker + line[k:]
				break
			}
		}
		for k := len(s) - 1; k >= edgeMin; k-- {
			if strings.HasSuffix(line, s[:k]) {
				line = line[:len(line)-k] + Redact(s)
				break
			}
		}
	}
	return line
}

// flatten puts a possibly multi-line text on one line.
func flatten(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", newlineMarker)
}

// neighbours finds, for one finding, the other secrets its context line
// may show: every secret found in the same place (a context line that is
// cut may hold the edge of any of them), or, in a place with very many
// findings, only those on the same lines, so that cost stays linear.
type neighbours struct {
	byPlace map[string][]string
	byLine  map[string][]string
}

// maxPlaceSecrets is how many distinct secrets in one place are all
// checked against each context line before falling back to same-line ones.
const maxPlaceSecrets = 64

// maxIndexedLines bounds how many lines of one multi-line secret are
// indexed; PEM keys span dozens, nothing legitimate spans more.
const maxIndexedLines = 1000

func lineKey(place string, line int) string { return place + "\x00" + strconv.Itoa(line) }

func newNeighbours(r *Report) neighbours {
	n := neighbours{byPlace: map[string][]string{}, byLine: map[string][]string{}}
	seen := map[string]bool{}
	for _, f := range r.Findings {
		place := placeKey(f)
		if k := place + "\x00" + f.Secret; !seen[k] {
			seen[k] = true
			n.byPlace[place] = append(n.byPlace[place], f.Secret)
		}
		for l := f.Line; l <= min(f.EndLine, f.Line+maxIndexedLines); l++ {
			n.byLine[lineKey(place, l)] = append(n.byLine[lineKey(place, l)], f.Secret)
		}
	}
	return n
}

// context returns a finding's line for a report: redacted and flattened,
// or as found (flattened) when redaction is off, or nothing when values
// are hidden.
func (n neighbours) context(f classify.Finding, opts Options) string {
	if opts.HideValues {
		return ""
	}
	if !opts.Redact {
		return flatten(f.LineText)
	}
	place := placeKey(f)
	secrets := []string{f.Secret}
	if all := n.byPlace[place]; len(all) <= maxPlaceSecrets {
		secrets = append(secrets, all...)
	} else {
		for l := f.Line; l <= min(f.EndLine, f.Line+maxIndexedLines); l++ {
			secrets = append(secrets, n.byLine[lineKey(place, l)]...)
		}
	}
	return RedactLine(f.LineText, secrets...)
}

// secretText is how a report shows a secret: redacted, or as found.
func secretText(secret string, opts Options) string {
	if opts.Redact || opts.HideValues {
		return redactedText(secret, opts)
	}
	return secret
}

// redactedText is a secret redacted even when the report is not: the
// short prefix, or only the marker when values are hidden.
func redactedText(secret string, opts Options) string {
	if opts.HideValues {
		return RedactMarker
	}
	return Redact(secret)
}

// showsValues reports whether a report may carry secrets in full (SARIF
// snippets, the JSON and SARIF "redacted" flags).
func (o Options) showsValues() bool { return !o.Redact && !o.HideValues }
