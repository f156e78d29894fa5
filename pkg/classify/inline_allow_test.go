package classify

import (
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

// An inline allow marker silences a reference on its line, as it does a
// detector finding.
func TestInlineAllowSilencesReferences(t *testing.T) {
	c, err := New(rules.References, Options{})
	if err != nil {
		t.Fatal(err)
	}
	scan := func(text string) int {
		res := c.Chunk(sources.Chunk{Data: []byte(text), Origin: &sources.Origin{Path: ".github/workflows/ci.yml"}, StartLine: 1}, nil)
		return len(res.Findings)
	}
	plain := "env:\n  API_TOKEN: ${{ vars.API_TOKEN }}\n"
	if scan(plain) == 0 {
		t.Fatalf("no reference found in %q", plain)
	}
	if n := scan("env:\n  API_TOKEN: ${{ vars.API_TOKEN }} # sprawl:allow\n"); n != 0 {
		t.Fatalf("%d findings on a line marked sprawl:allow", n)
	}
}
