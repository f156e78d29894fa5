package git

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// TestStagedAddedLinesOnly: an old secret in a file does not block a
// commit that edits elsewhere in it; a new one does, at the staged line.
func TestStagedAddedLinesOnly(t *testing.T) {
	f := newFixture(t)
	old, fresh, moved := fakePAT("staged-old"), fakePAT("staged-new"), fakePAT("staged-moved")
	f.write("app.cfg", "a=1\nold_token="+old+"\nb=2\n")
	f.write("keep.cfg", "token="+moved+"\n")
	f.write("unrelated.txt", "x\n")
	f.commit("Alice", "base")
	find := testFinder(t)
	stage := func() []Finding { return scanStaged(t, f.dir, find) }
	// Nothing staged.
	if got := stage(); len(got) != 0 {
		t.Fatalf("nothing staged: %d findings", len(got))
	}
	// An unrelated edit above the old secret, the old secret's line moved
	// within the file, a renamed file, and one new secret.
	f.write("app.cfg", "header\nb=2\na=1\nold_token="+old+"\n\n\nnew_token="+fresh+"\n")
	f.move("keep.cfg", "moved.cfg")
	got := stage()
	if len(got) != 1 {
		t.Fatalf("want 1 finding, got %d: %+v", len(got), got)
	}
	g := got[0]
	if g.Origin.Path != "app.cfg" || g.Match.Line != 7 || !strings.Contains(g.Match.Key, fresh) {
		t.Fatalf("got %s line %d", g.Origin.Path, g.Match.Line)
	}
	if g.Origin.Git != nil {
		t.Fatalf("staged changes have no commit: %+v", g.Origin.Git)
	}
	// A file renamed and edited: its old secret is not new.
	f.write("app.cfg", "a=1\nold_token="+old+"\nb=2\n")
	f.write("keep.cfg", "token="+moved+"\n")
	f.remove("moved.cfg")
	f.commit("Bob", "back")
	f.move("keep.cfg", "sub/kept.cfg")
	f.write("sub/kept.cfg", "# header\ntoken="+moved+"\n")
	if got := stage(); len(got) != 0 {
		t.Fatalf("renamed and edited file: %d findings", len(got))
	}
	// Work-tree changes that are not staged do not count.
	if err := os.WriteFile(filepath.Join(f.dir, "unrelated.txt"), []byte("t="+fakePAT("unstaged")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := stage(); len(got) != 0 {
		t.Fatalf("unstaged change counted: %d findings", len(got))
	}
}

// TestStagedFirstCommit: before any commit, everything staged is new.
func TestStagedFirstCommit(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "one\ntwo\ntoken="+fakePAT("first")+"\n")
	st := sources.NewStats()
	s, err := OpenStaged(StagedOptions{Path: filepath.Join(f.dir), Stats: st})
	if err != nil {
		t.Fatal(err)
	}
	got := s.Scan(t.Context(), testFinder(t), nil, st)
	if len(got) != 1 || got[0].Match.Line != 3 {
		t.Fatalf("got %+v", got)
	}
}

// TestIndexTreesMatchCommittedTrees: right after a commit, the trees
// computed from the index are the commit's, folder by folder, so an
// unchanged folder is never read.
func TestIndexTreesMatchCommittedTrees(t *testing.T) {
	f := newFixture(t)
	f.write("a/b/c.txt", "c\n")
	f.write("a/b.txt", "b\n")
	f.write("a-b/x", "x\n")
	f.write("z.txt", "z\n")
	if err := os.Chmod(filepath.Join(f.dir, "z.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.write("z.txt", "z\n")
	h := f.commit("Alice", "tree")
	idx, err := f.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.repo.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	if got := indexTrees(idx.Entries)[""]; got != c.TreeHash {
		t.Fatalf("index root tree %s, commit tree %s", got, c.TreeHash)
	}
}

// TestStagedArchive: a staged zip is opened; a secret its HEAD version
// already held does not block the commit, a new one does, at its member.
func TestStagedArchive(t *testing.T) {
	f := newFixture(t)
	old, fresh := fakePAT("zip-old"), fakePAT("zip-new")
	f.write("dist/bundle.zip", zipOf(t, [2]string{"conf/app.env", "token=" + old + "\n"}))
	f.commit("Alice", "bundle")
	find := testFinder(t)
	stage := func() []Finding { return scanStaged(t, f.dir, find) }
	// A new member with no secret: the old secret is not new.
	f.write("dist/bundle.zip", zipOf(t, [2]string{"conf/app.env", "token=" + old + "\n"}, [2]string{"README", "hello\n"}))
	if got := stage(); len(got) != 0 {
		t.Fatalf("old secret in a re-staged zip: %d findings: %+v", len(got), got)
	}
	// A new secret in a new member.
	f.write("dist/bundle.zip", zipOf(t, [2]string{"conf/app.env", "token=" + old + "\n"}, [2]string{"conf/prod.env", "token=" + fresh + "\n"}))
	got := stage()
	if len(got) != 1 || !strings.Contains(got[0].Match.Key, fresh) || got[0].Origin.Path != "dist/bundle.zip!/conf/prod.env" {
		t.Fatalf("want the new secret at dist/bundle.zip!/conf/prod.env, got %+v", got)
	}
	// A new zip: everything in it is new.
	f.write("new.zip", zipOf(t, [2]string{"a.env", "token=" + fakePAT("zip-other") + "\n"}))
	if got := stage(); len(got) != 2 {
		t.Fatalf("a new zip and the changed one: want 2 findings, got %d", len(got))
	}
}

// scanStaged scans what is staged in the repository at dir.
func scanStaged(t *testing.T, dir string, find Finder) []Finding {
	t.Helper()
	st := sources.NewStats()
	s, err := OpenStaged(StagedOptions{Path: dir, Stats: st})
	if err != nil {
		t.Fatal(err)
	}
	return s.Scan(t.Context(), find, nil, st)
}
