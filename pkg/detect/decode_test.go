package detect

import (
	"encoding/base64"
	"math/rand"
	"testing"
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
