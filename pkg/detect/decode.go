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
	for i := 0; ; {
		s, j := nextBase64Run(data, i)
		if s < 0 {
			break
		}
		if mayEncodeText(data[s:j]) {
			out = e.scanEncoded(data, s, j, decodeBase64(data[s:j]), "base64", out)
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

// nextBase64Run returns the first maximal run of base64 characters of at
// least minEncodedLen bytes in data[i:], as [s, j), or s = -1. data[i-1],
// if any, must not be a base64 character. It looks at the last byte a run
// starting here would need before the bytes in between: source code is
// mostly short identifier runs, and this skips most of their bytes.
func nextBase64Run(data []byte, i int) (s, j int) {
	for i+minEncodedLen <= len(data) {
		p := i + minEncodedLen - 1
		if !base64Chars[data[p]] {
			i = p + 1
			continue
		}
		s = p
		for s > i && base64Chars[data[s-1]] {
			s--
		}
		j = p + 1
		for j < len(data) && base64Chars[data[j]] {
			j++
		}
		if j-s >= minEncodedLen {
			return s, j
		}
		i = j + 1 // data[j] is not a base64 character
	}
	return -1, -1
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

// mayEncodeText is a check on a base64 run, without decoding it, that its
// decoding could pass mostlyPrintable. Each character of a group of four
// fixes some bits of the bytes it decodes to, enough to tell that a byte
// is certainly not printable (0x80 and above, or a control byte other
// than a tab or line break): the first character's value is the first
// byte's top six bits, the second's low four bits are the next byte's top
// four, and the third's second-lowest bit is the last byte's top bit.
// Identifiers and words, most of the runs in source code, fail it at
// once; decoding them in up to four alphabets was most of this pass.
func mayEncodeText(run []byte) bool {
	bad := 0
	for k := 0; k < len(run); k += 4 {
		g := run[k:min(k+4, len(run))]
		if i := bytes.IndexByte(g, '='); i >= 0 {
			g = g[:i]
		}
		if len(g) < 2 {
			break // not a whole byte: decoding fails anyway
		}
		if v := base64Value[g[0]]; v >= 32 || v < 2 || (4 <= v && v < 8) {
			bad++
		}
		if len(g) >= 3 {
			if hi := base64Value[g[1]] & 15; hi == 1 || hi >= 8 {
				bad++
			}
		}
		if len(g) == 4 && base64Value[g[2]]&2 != 0 {
			bad++
		}
	}
	return bad*100 <= len(run)*3/4*5
}

// base64Value maps a character to its value in either base64 alphabet
// ('-' and '+' are both 62, '_' and '/' both 63: the check above reads
// the same bits of either).
var base64Value = func() (t [256]byte) {
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = byte(i)
	}
	t['-'], t['_'] = 62, 63
	return
}()

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
