package git

import (
	"crypto/sha256"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// fakePAT makes a GitHub classic token with a valid checksum, the same for
// the same seed: ghp_ + 30 base62 characters + their base62 CRC32.
func fakePAT(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	var b strings.Builder
	for i := 0; i < 30; i++ {
		b.WriteByte(base62[int(sum[i])%62])
	}
	body := b.String()
	v := crc32.ChecksumIEEE([]byte(body))
	var crc [6]byte
	for i := 5; i >= 0; i-- {
		crc[i] = base62[v%62]
		v /= 62
	}
	return "ghp_" + body + string(crc[:])
}

// testFinder runs the real engine and keys matches by rule and value.
func testFinder(t testing.TB) Finder {
	t.Helper()
	all, err := detect.LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := detect.NewEngine(all, detect.Options{Decode: true})
	if err != nil {
		t.Fatal(err)
	}
	return func(c sources.Chunk) []Match {
		var out []Match
		for _, f := range eng.Scan(c) {
			out = append(out, Match{Offset: f.Offset, Line: f.Line, Lines: f.EndLine - f.Line, Key: f.Rule.ID + "\x00" + f.Secret, Value: f})
		}
		return out
	}
}

// fixture builds a repository commit by commit through a work tree.
type fixture struct {
	t    testing.TB
	dir  string
	repo *gogit.Repository
	wt   *gogit.Worktree
	day  int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	repo, err := gogit.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, dir: dir, repo: repo, wt: wt}
}

func (f *fixture) write(path, content string) {
	f.t.Helper()
	full := filepath.Join(f.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.wt.Add(path); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) remove(path string) {
	f.t.Helper()
	if _, err := f.wt.Remove(path); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) move(from, to string) {
	f.t.Helper()
	if _, err := f.wt.Move(from, to); err != nil {
		f.t.Fatal(err)
	}
}

// sig is a person committing on the fixture's next day.
func (f *fixture) sig(name string) *object.Signature {
	f.day++
	return &object.Signature{Name: name, Email: strings.ToLower(name) + "@example.org",
		When: time.Date(2024, 1, f.day, 10, 0, 0, 0, time.FixedZone("CET", 3600))}
}

func (f *fixture) commit(author, msg string, parents ...plumbing.Hash) plumbing.Hash {
	f.t.Helper()
	s := f.sig(author)
	h, err := f.wt.Commit(msg, &gogit.CommitOptions{Author: s, Committer: s, Parents: parents, AllowEmptyCommits: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

func (f *fixture) branch(name string, create bool) {
	f.t.Helper()
	err := f.wt.Checkout(&gogit.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Create: create, Keep: false})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) tag(name string, at plumbing.Hash) {
	f.t.Helper()
	if _, err := f.repo.CreateTag(name, at, &gogit.CreateTagOptions{Tagger: f.sig("Tagger"), Message: "release " + name}); err != nil {
		f.t.Fatal(err)
	}
}

// repack moves every object into one pack with deltas, as git gc does.
func (f *fixture) repack() {
	f.t.Helper()
	if err := f.repo.RepackObjects(&gogit.RepackConfig{}); err != nil {
		f.t.Fatal(err)
	}
}

// scan reads the repository's history with the given options.
func scan(t testing.TB, opts Options, find Finder) ([]Finding, *Blobs, *sources.Stats) {
	t.Helper()
	if opts.Stats == nil {
		opts.Stats = sources.NewStats()
	}
	h, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Read(t.Context(), find)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	return h.Attribute(b), b, opts.Stats
}

// scanObjects reads the whole history through go-git, object by object,
// as a limited scope does, and checks that it did.
func scanObjects(t testing.TB, dir string, find Finder) []Finding {
	t.Helper()
	h, err := Open(Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	h.forceObjects = true
	b, err := h.Read(t.Context(), find)
	if err != nil {
		t.Fatal(err)
	}
	if b.Mode != "objects" {
		t.Fatalf("mode %s, want objects", b.Mode)
	}
	return h.Attribute(b)
}
