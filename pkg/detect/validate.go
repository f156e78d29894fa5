package detect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// Validator checks the structure of a candidate secret. A non-nil error
// means the candidate is not a real credential of the rule's kind.
type Validator func(secret string) error

// validators are referenced by name from rule files ("validate:").
var validators = map[string]Validator{
	"github-checksum": base62CRC32Checksum,
	"npm-checksum":    base62CRC32Checksum,
	"jwt":             validateJWT,
	"pem":             validatePEM,
	"pypi-macaroon":   validatePyPI,
	"bech32":          validateBech32,
}

// ValidatorNames lists the validators a rule may name.
func ValidatorNames() []string {
	names := make([]string, 0, len(validators))
	for n := range validators {
		names = append(names, n)
	}
	return names
}

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// base62CRC32Checksum checks GitHub's and npm's token format: after the
// prefix (up to the last '_'), the last six characters are the base62
// CRC32 of the characters before them.
func base62CRC32Checksum(secret string) error {
	body := secret[strings.LastIndexByte(secret, '_')+1:]
	if len(body) < 7 {
		return errors.New("too short to carry a checksum")
	}
	payload, sum := body[:len(body)-6], body[len(body)-6:]
	if want := base62Pad(crc32.ChecksumIEEE([]byte(payload)), 6); want != sum {
		return fmt.Errorf("checksum %s does not match %s", sum, want)
	}
	return nil
}

func base62Pad(v uint32, width int) string {
	out := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		out[i] = base62Alphabet[v%62]
		v /= 62
	}
	return string(out)
}

// validateJWT checks that the header and payload decode to JSON objects and
// that the header names an algorithm.
func validateJWT(secret string) error {
	parts := strings.Split(secret, ".")
	if len(parts) < 2 {
		return errors.New("not three dot-separated parts")
	}
	var header map[string]any
	if err := decodeJSONSegment(parts[0], &header); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if _, ok := header["alg"]; !ok {
		return errors.New(`header has no "alg"`)
	}
	var payload map[string]any
	if err := decodeJSONSegment(parts[1], &payload); err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	if _, encrypted := header["enc"]; len(parts) == 3 && !encrypted {
		alg, _ := header["alg"].(string)
		return checkJWTSignature(alg, parts[2])
	}
	return nil
}

// jwtSignatureBytes is how long a signature each algorithm makes: a token
// whose signature is shorter or longer was cut (documentation shows
// "eyJ…" tokens with the end left off) or made up, and cannot verify.
var jwtSignatureBytes = map[string]int{
	"HS256": 32, "HS384": 48, "HS512": 64,
	"ES256": 64, "ES384": 96, "ES512": 132, "ES256K": 64,
}

// checkJWTSignature checks a signed token's third part: base64url, and as
// long as its algorithm makes (RSA: at least a 1024-bit modulus; EdDSA:
// Ed25519 or Ed448). Unknown algorithms are not judged.
func checkJWTSignature(alg, sig string) error {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(sig, "="))
	if err != nil {
		return fmt.Errorf("signature: not base64url: %w", err)
	}
	n := len(raw)
	switch want, fixed := jwtSignatureBytes[alg]; {
	case fixed && n != want:
		return fmt.Errorf("signature of %d bytes; %s signs with %d", n, alg, want)
	case (strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")) && n < 128:
		return fmt.Errorf("signature of %d bytes; %s signs with the key's size, at least 128", n, alg)
	case alg == "EdDSA" && n != 64 && n != 114:
		return fmt.Errorf("signature of %d bytes; EdDSA signs with 64 (Ed25519) or 114 (Ed448)", n)
	}
	return nil
}

func decodeJSONSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return fmt.Errorf("not base64url: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return nil
}

// validatePEM checks that a private key block has matching BEGIN/END lines
// and a body that decodes. The secret may come from a source with escaped
// newlines ("\n" in JSON), which are restored first.
func validatePEM(secret string) error {
	text := strings.ReplaceAll(secret, `\n`, "\n")
	text = strings.ReplaceAll(text, `\r`, "")
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		// Keys pasted on one line, or with indentation, keep their
		// structure but not PEM's line layout: check the body by hand.
		return validatePEMLoose(text)
	}
	if len(block.Bytes) < 32 {
		return errors.New("key body too short")
	}
	return nil
}

func validatePEMLoose(text string) error {
	begin := strings.Index(text, "-----BEGIN ")
	end := strings.Index(text, "-----END ")
	if begin < 0 || end < 0 || end < begin {
		return errors.New("no BEGIN/END pair")
	}
	hdrEnd := strings.Index(text[begin+11:], "-----")
	if hdrEnd < 0 {
		return errors.New("malformed BEGIN line")
	}
	kind := text[begin+11 : begin+11+hdrEnd]
	if !strings.HasPrefix(text[end+9:], kind+"-----") {
		return fmt.Errorf("END does not match BEGIN %s", kind)
	}
	body := text[begin+11+hdrEnd+5 : end]
	var clean bytes.Buffer
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, ":") { // Proc-Type / DEK-Info headers
			continue
		}
		for _, f := range strings.Fields(line) {
			clean.WriteString(strings.Trim(f, `"',\`))
		}
	}
	raw, err := base64.StdEncoding.DecodeString(clean.String())
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(clean.String(), "="))
	}
	if err != nil {
		return fmt.Errorf("key body is not base64: %w", err)
	}
	if len(raw) < 32 {
		return errors.New("key body too short")
	}
	return nil
}

// validatePyPI checks that a PyPI token's body is a macaroon issued for
// pypi.org (its base64 decodes to a version-2 macaroon naming the site).
func validatePyPI(secret string) error {
	body := strings.TrimPrefix(secret, "pypi-")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(body, "="))
	if err != nil {
		// Truncated or padded bodies: decode the longest valid prefix.
		n := len(body) / 4 * 4
		raw, err = base64.URLEncoding.DecodeString(body[:n])
		if err != nil {
			return fmt.Errorf("not base64url: %w", err)
		}
	}
	if len(raw) < 2 || raw[0] != 0x02 {
		return errors.New("not a version-2 macaroon")
	}
	if !bytes.Contains(raw[:min(len(raw), 64)], []byte("pypi.org")) {
		return errors.New("macaroon location is not pypi.org")
	}
	return nil
}

// bech32Charset is BIP-173's 32-letter alphabet: a letter's index is its
// 5-bit value.
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// validateBech32 checks a bech32 string's six-character checksum (BIP-173),
// as age identities (AGE-SECRET-KEY-1...) carry: the checksum covers the
// human-readable part before the last '1' and the data after it, in one
// case.
func validateBech32(secret string) error {
	s := strings.ToLower(secret)
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 || len(s)-sep-1 < 6 {
		return errors.New("no bech32 separator and checksum")
	}
	hrp, data := s[:sep], s[sep+1:]
	values := make([]byte, 0, 2*len(hrp)+1+len(data))
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]>>5)
	}
	values = append(values, 0)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]&31)
	}
	for i := 0; i < len(data); i++ {
		v := strings.IndexByte(bech32Charset, data[i])
		if v < 0 {
			return fmt.Errorf("%q is not a bech32 letter", data[i])
		}
		values = append(values, byte(v))
	}
	if bech32Polymod(values) != 1 {
		return errors.New("bech32 checksum does not match")
	}
	return nil
}

// bech32Polymod is BIP-173's BCH checksum over 5-bit values.
func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}
