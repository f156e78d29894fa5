package git

import (
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

func TestHeadFile(t *testing.T) {
	f := newFixture(t)
	f.write("docs/CODEOWNERS", "* @docs-team\n")
	f.write("CODEOWNERS", "* @old\n")
	f.commit("Alice", "owners")
	f.write("CODEOWNERS", "* @root-team\n")
	f.write(".github/CODEOWNERS", strings.Repeat("# padding\n", 100))
	f.commit("Alice", "more owners")
	st := sources.NewStats()
	h, err := Open(Options{Path: f.dir, Stats: st})
	if err != nil {
		t.Fatal(err)
	}
	// The first candidate is too large: skipped with a warning; the next
	// one is read as it is at HEAD.
	p, data := h.HeadFile(100, ".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
	if p != "CODEOWNERS" || string(data) != "* @root-team\n" {
		t.Errorf("got %q %q, want CODEOWNERS at HEAD", p, data)
	}
	if w := st.Snapshot().Warnings; len(w) != 1 || !strings.Contains(w[0].Place, ".github/CODEOWNERS") {
		t.Errorf("warnings %v, want one naming the oversized file", w)
	}
	if p, _ := h.HeadFile(100, "missing", "docs"); p != "" {
		t.Errorf("a missing file or a folder gave %q", p)
	}
}
