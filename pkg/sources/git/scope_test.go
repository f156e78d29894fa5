package git

import (
	"github.com/go-git/go-git/v5/plumbing"
	"testing"
	"time"
)

func paths(found []Finding) map[string]string {
	out := map[string]string{}
	for _, f := range found {
		out[f.Origin.Path] = f.Origin.Git.Commit
	}
	return out
}

// TestRangeReportsOnlyWhatItIntroduced is the CI gate: the range from the
// old main to the merge holds the feature branch, the README commit and
// the merge; secrets committed before stay out.
func TestRangeReportsOnlyWhatItIntroduced(t *testing.T) {
	s := newStory(t)
	for _, packed := range []bool{false, true} {
		if packed {
			s.f.repack()
		}
		got, b, _ := scan(t, Options{Path: s.f.dir, Range: s.commits["c5"].String() + "..master"}, testFinder(t))
		if b.Commits != 3 || b.Mode != "objects" {
			t.Fatalf("range holds %d commits read as %s; want 3 (f1, m1, m2) as objects", b.Commits, b.Mode)
		}
		p := paths(got)
		if len(got) != 2 || p["feature.txt"] != s.commits["f1"].String() || p[""] != s.commits["m1"].String() {
			t.Fatalf("packed=%v: got %v", packed, p)
		}
		for _, f := range got {
			if f.Origin.Path == "feature.txt" && !f.Origin.Git.PresentAtHEAD {
				t.Errorf("feature.txt secret is at HEAD")
			}
		}
	}
	// Nothing new between two names of the same commit.
	got, b, _ := scan(t, Options{Path: s.f.dir, Range: "v1..v1"}, testFinder(t))
	if len(got) != 0 || b.Commits != 0 {
		t.Fatalf("empty range: %d findings, %d commits", len(got), b.Commits)
	}
}

func TestBranchSinceAndMaxCommits(t *testing.T) {
	s := newStory(t)
	find := testFinder(t)
	got, _, _ := scan(t, Options{Path: s.f.dir, Branch: "wip"}, find)
	// config.env, docs/big.txt, leak.txt and wip.txt; not the feature
	// branch, not the message on master.
	if p := paths(got); len(p) != 4 || p["wip.txt"] == "" || p["feature.txt"] != "" || p[""] != "" {
		t.Fatalf("--branch wip: %v", p)
	}
	since := time.Date(2024, 1, 7, 0, 0, 0, 0, time.UTC)
	got, b, _ := scan(t, Options{Path: s.f.dir, Since: since}, find)
	if b.Commits != 4 { // f1, w1, m1, m2
		t.Fatalf("--since: %d commits", b.Commits)
	}
	if p := paths(got); len(p) != 3 || p["wip.txt"] == "" || p["feature.txt"] == "" || p[""] == "" {
		t.Fatalf("--since: %v", p)
	}
	got, b, _ = scan(t, Options{Path: s.f.dir, Branch: "master", MaxCommits: 2}, find)
	if b.Commits != 2 {
		t.Fatalf("--max-commits 2: %d commits", b.Commits)
	}
	// The merge adds nothing of its own; the README commit holds the
	// message secret.
	if p := paths(got); len(p) != 1 || p[""] != s.commits["m1"].String() {
		t.Fatalf("--max-commits 2: %v", p)
	}
}

func TestSelectCommitsClockSkewAndDuplicates(t *testing.T) {
	// a <- b <- c (c's clock is behind b's), x excluded from c's parent b.
	mk := func(name string, when int64, parents ...*commitInfo) *commitInfo {
		c := &commitInfo{when: when}
		copy(c.hash[:], name)
		for _, p := range parents {
			c.parents = append(c.parents, p.hash)
		}
		return c
	}
	a := mk("a", 100)
	b := mk("b", 300, a)
	c := mk("c", 200, b)
	all := map[string]*commitInfo{}
	for _, x := range []*commitInfo{a, b, c} {
		all[string(x.hash[:1])] = x
	}
	get := func(h plumbing.Hash) (*commitInfo, bool) { x, ok := all[string(h[:1])]; return x, ok }
	sel, err := selectCommits(get, scope{include: []plumbing.Hash{c.hash, b.hash}, exclude: []plumbing.Hash{a.hash}}, 0)
	if err != nil || len(sel) != 2 || sel[0] != b || sel[1] != c {
		t.Fatalf("got %v %v", sel, err)
	}
}
