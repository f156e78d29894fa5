package detect

import (
	"encoding/base64"
	"fmt"
	"math/rand"
	"net/url"
	"slices"
	"testing"

	"github.com/sprawl-sec/sprawl/rules"
)

// mayEncodeText must never turn away the encoding of text that
// mostlyPrintable accepts, in any of the alphabets decodeBase64 tries,
// including text with a few bytes that are not printable.
func TestMayEncodeTextKeepsEncodedText(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	encodings := []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding}
	for n := 0; n < 20000; n++ {
		text := make([]byte, 18+rng.Intn(300))
		for i := range text {
			text[i] = byte(0x20 + rng.Intn(0x5f))
			switch rng.Intn(40) {
			case 0:
				text[i] = byte(0x80 + rng.Intn(0x80))
			case 1:
				text[i] = "\n\r\t"[rng.Intn(3)]
			}
		}
		if !mostlyPrintable(text) {
			continue
		}
		for _, enc := range encodings {
			run := []byte(enc.EncodeToString(text))
			if !mayEncodeText(run) {
				t.Fatalf("encoding of printable text turned away: %q", run)
			}
		}
	}
}

// Identifiers, the usual long base64-alphabet runs in source code, are
// turned away without being decoded.
func TestMayEncodeTextRejectsIdentifiers(t *testing.T) {
	for _, id := range []string{"Curl_http_output_authentication", "CURLOPT_SSL_VERIFYPEER_DEFAULT", "github.com/spf13/cobra/doc", "TestSecretNamedReferencesInLongScript"} {
		if mayEncodeText([]byte(id)) {
			t.Errorf("%s would be decoded", id)
		}
	}
}

// nextBase64Run skips ahead; it must find exactly the runs a plain
// byte-by-byte walk finds, on inputs made of runs of every length around
// the threshold.
func TestNextBase64RunFindsEveryLongRun(t *testing.T) {
	naive := func(data []byte) [][2]int {
		var runs [][2]int
		for i := 0; i < len(data); {
			if !base64Chars[data[i]] {
				i++
				continue
			}
			j := i
			for j < len(data) && base64Chars[data[j]] {
				j++
			}
			if j-i >= minEncodedLen {
				runs = append(runs, [2]int{i, j})
			}
			i = j
		}
		return runs
	}
	rng := rand.New(rand.NewSource(11))
	for round := 0; round < 5000; round++ {
		var b []byte
		for n := rng.Intn(8); n > 0; n-- {
			for k := rng.Intn(2 * minEncodedLen); k > 0; k-- {
				b = append(b, "aZ09+/=-_"[rng.Intn(9)])
			}
			for k := rng.Intn(3) + 1; k > 0; k-- {
				b = append(b, " \n\"'.:;{\x00\xff"[rng.Intn(10)])
			}
		}
		if rng.Intn(2) == 0 && len(b) > 0 {
			b = b[:len(b)-1] // end inside a run half of the time
		}
		var got [][2]int
		for i := 0; ; {
			s, j := nextBase64Run(b, i)
			if s < 0 {
				break
			}
			got = append(got, [2]int{s, j})
			i = j
		}
		if want := naive(b); !slices.Equal(got, want) {
			t.Fatalf("input %q: runs %v, want %v", b, got, want)
		}
	}
}

// A secret found as it is written is not reported again from the decoded
// text: an Azure SAS URL's signature, percent-encoded as URLs carry it,
// is one finding, at the signature, not a second one "decoded from
// percent" at the start of the URL.
func TestDecodedCopyOfWrittenSecretIsDropped(t *testing.T) {
	all, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(all, Options{Decode: true, Allow: &Allowlist{}})
	if err != nil {
		t.Fatal(err)
	}
	line := "AZURE_BLOB_SAS=https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-12-01T00:00:00Z&spr=https&sig=k3Jf9%2Bq7Ld0wXz5nV8pR2tY6uH1mB4cQ9sE7aG3iK0o%3D\n"
	got := scanString(e, line)
	if len(got) != 1 || got[0].Rule.ID != "azure-sas-token" || got[0].Decoded != "" {
		t.Fatalf("got %s, want one azure-sas-token finding as written", describe(got))
	}
	// Encoded the other way round, the decoded copy is the only one and
	// stays.
	hidden := "config=" + url.QueryEscape(line)
	if got := scanString(e, hidden); len(got) != 1 || got[0].Decoded != "percent" {
		t.Fatalf("got %s, want the secret found once, decoded", describe(got))
	}
}

// describe names findings by rule, place and decoding, without their
// secrets.
func describe(fs []Finding) string {
	out := ""
	for _, f := range fs {
		out += fmt.Sprintf("[%s at %d:%d decoded %q] ", f.Rule.ID, f.Line, f.Column, f.Decoded)
	}
	return out
}
