package detect

import (
	"testing"
	"unicode/utf8"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

// FuzzScan feeds arbitrary bytes to the full rule set with decoding on:
// the engine must not panic, and every finding must point inside the
// input with a sane position.
func FuzzScan(f *testing.F) {
	all, err := LoadRules(rules.FS)
	if err != nil {
		f.Fatal(err)
	}
	e, err := NewEngine(all, Options{Decode: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("token = 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\n"))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"))
	f.Add([]byte("password=%41%42%43 data: Z2hwX3M1MmRZSG1leElqRVY2RThCUXFrcm1OZDRtcjYzNjBBZ2tHTg=="))
	f.Add([]byte("\xff\xfe\x00secret: \"\xc3\x28\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fd := range e.Scan(sources.Chunk{Data: data, Origin: &sources.Origin{Path: "fuzz"}, StartLine: 1}) {
			if fd.Offset < 0 || fd.Offset > int64(len(data)) || fd.Line < 1 || fd.EndLine < fd.Line || fd.Column < 1 {
				t.Fatalf("finding out of range: offset %d line %d-%d col %d (len %d)", fd.Offset, fd.Line, fd.EndLine, fd.Column, len(data))
			}
			if fd.Secret == "" {
				t.Fatalf("empty secret from %s", fd.Rule.ID)
			}
		}
	})
}

// FuzzParseConfig checks that arbitrary config files fail cleanly.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("rules:\n  - id: x\n    keywords: [ab]\n    pattern: 'ab(c+)'\n"))
	f.Add([]byte("allow:\n  paths: ['**/x']\n  regexes: ['(']\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return
		}
		rs, err := ParseRules(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if _, err := NewEngine(rs, Options{}); err != nil {
			return
		}
	})
}
