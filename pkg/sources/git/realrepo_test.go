package git

import (
	"os"
	"testing"
	"time"
)

// TestRealRepoExhaustive compares the walk with reading every blob version
// whole, every line, on a real repository: SPRAWL_EXHAUSTIVE=path (takes
// minutes; on curl it is how the walk's recall was checked).
func TestRealRepoExhaustive(t *testing.T) {
	dir := os.Getenv("SPRAWL_EXHAUSTIVE")
	if dir == "" {
		t.Skip()
	}
	find := testFinder(t)
	start := time.Now()
	fast, _, st := scan(t, Options{Path: dir}, find)
	t.Logf("walk: %d findings, %d bytes read, %v", len(fast), st.Snapshot().Bytes, time.Since(start))
	h, err := Open(Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	h.exhaustive = true
	start = time.Now()
	b, err := h.Read(t.Context(), find)
	if err != nil {
		t.Fatal(err)
	}
	whole := h.Attribute(b)
	t.Logf("exhaustive: %d findings, %d bytes read, %v", len(whole), h.opts.Stats.Snapshot().Bytes, time.Since(start))
	a, w := summarize(fast), summarize(whole)
	in := map[string]bool{}
	for _, x := range a {
		in[x] = true
	}
	miss := 0
	for _, x := range w {
		if !in[x] {
			miss++
			t.Logf("only exhaustive: %s", x)
		}
		delete(in, x)
	}
	for x := range in {
		t.Logf("only walk: %s", x)
	}
	t.Logf("walk misses %d of %d, has %d extra", miss, len(w), len(in))
}
