package detect

import (
	"bytes"
	"encoding/base64"
	"net/url"
)

// minEncodedLen is the shortest base64 run worth decoding: shorter runs
// are identifiers and words far more often than encoded secrets.
const minEncodedLen = 24

var base64Chars = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_" {
		t[c] = true
	}
	return
}()

// scanDecoded finds base64 runs and percent-encoded runs, decodes each
// one level deep, and scans the decoded text. Matches keep the encoded
// span's position so reports point at what is in the file.
func (e *Engine) scanDecoded(data []byte) []rawMatch {
	var out []rawMatch
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
			out = e.scanEncoded(data, i, j, decodeBase64(data[i:j]), "base64", out)
		}
		i = j
	}
	for i := 0; i+2 < len(data); i++ {
		k := bytes.IndexByte(data[i:], '%') // most chunks hold none
		if k < 0 {
			break
		}
		i += k
		if i+2 >= len(data) || !isHex(data[i+1]) || !isHex(data[i+2]) {
			continue
		}
		s, t := tokenAround(data, i)
		if dec, err := url.QueryUnescape(string(data[s:t])); err == nil && dec != string(data[s:t]) {
			out = e.scanEncoded(data, s, t, []byte(dec), "percent", out)
		}
		i = t
	}
	return out
}

func (e *Engine) scanEncoded(data []byte, s, t int, decoded []byte, how string, out []rawMatch) []rawMatch {
	if len(decoded) == 0 || !mostlyPrintable(decoded) {
		return out
	}
	for _, m := range e.scanBytes(decoded, nil, nil) {
		m.decoded = how
		m.start, m.end, m.mstart, m.mend = s, t, s, t
		out = append(out, m)
	}
	return out
}

func decodeBase64(b []byte) []byte {
	s := string(b)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if d, err := enc.DecodeString(s); err == nil {
			return d
		}
	}
	return nil
}

// tokenAround returns the run of non-space, non-quote bytes holding i.
func tokenAround(data []byte, i int) (int, int) {
	stop := func(c byte) bool {
		return c <= ' ' || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>'
	}
	s := i
	for s > 0 && !stop(data[s-1]) {
		s--
	}
	t := i
	for t < len(data) && !stop(data[t]) {
		t++
	}
	return s, t
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func mostlyPrintable(b []byte) bool {
	printable := 0
	for _, c := range b {
		if (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t' {
			printable++
		}
	}
	return printable*100 >= len(b)*95
}
