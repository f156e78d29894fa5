package git

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

func warningsAbout(t *testing.T, opts Options, find Finder, place string) ([]Finding, []string) {
	t.Helper()
	got, _, st := scan(t, opts, find)
	var ws []string
	for _, w := range st.Snapshot().Warnings {
		if strings.Contains(w.Place, place) {
			ws = append(ws, w.Place+": "+w.Message)
		}
	}
	return got, ws
}

// TestCorruptLooseObject garbles the loose blob holding one secret: the
// scan warns naming it, and still reports the other secrets.
func TestCorruptLooseObject(t *testing.T) {
	s := newStory(t)
	blob := plumbing.ComputeHash(plumbing.BlobObject, []byte("oops "+s.secrets["B"]+"\n"))
	p := filepath.Join(s.f.dir, ".git", "objects", blob.String()[:2], blob.String()[2:])
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := 10; i < len(data); i++ {
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, ws := warningsAbout(t, Options{Path: s.f.dir}, testFinder(t), blob.String())
	if len(ws) == 0 {
		t.Fatal("no warning names the corrupt object")
	}
	t.Log(ws[0])
	if p := paths(got); len(got) != 5 || p["leak.txt"] != "" || p["feature.txt"] == "" {
		t.Fatalf("want the 5 other findings, got %v", p)
	}
}

// TestCorruptPackEntry garbles one blob's compressed bytes in a pack, and
// then removes the pack's data file: both are warnings, not failures.
func TestCorruptPackEntry(t *testing.T) {
	s := newStory(t)
	s.f.repack()
	objects := filepath.Join(s.f.dir, ".git", "objects")
	st, err := openStore(objects, nil)
	if err != nil {
		t.Fatal(err)
	}
	blob := plumbing.ComputeHash(plumbing.BlobObject, []byte("token: "+s.secrets["C"]+"\n"))
	p := st.packs[0]
	i := p.idx.find(blob)
	if i < 0 {
		t.Fatal("blob not in pack")
	}
	e := p.ent[i]
	st.close()
	f, err := os.OpenFile(p.path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, e.end-e.dataOff)
	for k := range junk {
		junk[k] = byte(k*7 + 3)
	}
	if _, err := f.WriteAt(junk, e.dataOff); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, ws := warningsAbout(t, Options{Path: s.f.dir}, testFinder(t), blob.String())
	if len(ws) == 0 {
		t.Fatal("no warning names the corrupt object")
	}
	t.Log(ws[0])
	if p := paths(got); p["feature.txt"] != "" || p["config.env"] == "" {
		t.Fatalf("got %v", p)
	}

	// A pack whose data file is gone: every object is missing; the scan
	// says so and does not crash.
	if err := os.Remove(p.path); err != nil {
		t.Fatal(err)
	}
	h, err := Open(Options{Path: s.f.dir})
	if err != nil {
		t.Skipf("go-git cannot open the repository without its pack: %v", err)
	}
	b, err := h.Read(t.Context(), testFinder(t))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	b.Close()
	found := false
	for _, w := range h.opts.Stats.Snapshot().Warnings {
		found = found || strings.Contains(w.Place, filepath.Base(p.path))
	}
	if !found {
		t.Fatal("no warning names the missing pack")
	}
}

// TestBareShallowAndClone reads a bare clone (same findings) and a
// shallow clone (a warning that says so).
func TestBareShallowAndClone(t *testing.T) {
	s := newStory(t)
	s.f.repack()
	find := testFinder(t)
	bare := t.TempDir()
	if _, err := gogit.PlainClone(bare, true, &gogit.CloneOptions{URL: s.f.dir, Tags: gogit.AllTags}); err != nil {
		t.Fatal(err)
	}
	got, _, st := scan(t, Options{Path: bare}, find)
	// A clone has master and the remote branches it fetched: the wip and
	// feature branches come as origin/* refs.
	if p := paths(got); len(got) != 6 || p["wip.txt"] == "" {
		t.Fatalf("bare clone: %v (warnings %v)", p, st.Snapshot().Warnings)
	}
	shallow := t.TempDir()
	if _, err := gogit.PlainClone(shallow, false, &gogit.CloneOptions{URL: "file://" + s.f.dir, Depth: 1}); err != nil {
		t.Fatal(err)
	}
	got, _, st = scan(t, Options{Path: shallow}, find)
	ws := st.Snapshot().Warnings
	if len(ws) == 0 || !strings.Contains(ws[0].Message, "shallow") {
		t.Fatalf("no shallow warning: %v", ws)
	}
	// Only the tip is there: it holds the secrets still at HEAD.
	if p := paths(got); p["feature.txt"] == "" || p["leak.txt"] != "" {
		t.Fatalf("shallow: %v", p)
	}
}
