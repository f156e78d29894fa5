package git

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

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

// Refs and HEAD files are read through the scan's own object store, with
// go-git as the fallback: both must give the same answers, for loose and
// packed objects, annotated and lightweight tags, a symbolic
// link and a file too large to read.
func TestStoreReadsAgreeWithGoGit(t *testing.T) {
	for _, packed := range []bool{false, true} {
		f := newFixture(t)
		f.write("CODEOWNERS", "* @root-team\n")
		f.write("docs/CODEOWNERS", "* @docs-team\n")
		first := f.commit("Alice", "owners")
		f.tag("v1", first)
		if !packed { // go-git cannot repack the link it commits
			if err := os.Symlink("CODEOWNERS", filepath.Join(f.dir, "LINKED")); err != nil {
				t.Fatal(err)
			}
			if _, err := f.wt.Add("LINKED"); err != nil {
				t.Fatal(err)
			}
		}
		f.write(".github/CODEOWNERS", strings.Repeat("# padding\n", 100))
		second := f.commit("Bob", "more owners")
		// A lightweight tag next to the annotated one.
		if err := f.repo.Storer.SetReference(plumbing.NewHashReference("refs/tags/light", first)); err != nil {
			t.Fatal(err)
		}
		// An annotated tag on a blob (git's own history has one): peeling
		// it is an answer from the store, not a reason to ask go-git.
		blobTag := &object.Tag{Name: "key", Tagger: *f.sig("Tagger"), Message: "a key", TargetType: plumbing.BlobObject}
		obj := f.repo.Storer.NewEncodedObject()
		blobHash := plumbing.ComputeHash(plumbing.BlobObject, []byte("* @root-team\n"))
		blobTag.Target = blobHash
		if err := blobTag.Encode(obj); err != nil {
			t.Fatal(err)
		}
		tagID, err := f.repo.Storer.SetEncodedObject(obj)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.repo.Storer.SetReference(plumbing.NewHashReference("refs/tags/key", tagID)); err != nil {
			t.Fatal(err)
		}
		if packed {
			f.repack()
		}
		h, err := Open(Options{Path: f.dir, Stats: sources.NewStats()})
		if err != nil {
			t.Fatal(err)
		}
		s := h.earlyStoreForReads()
		if s == nil {
			t.Fatal("a whole-history scan opens the store early")
		}
		refs, err := f.repo.References()
		if err != nil {
			t.Fatal(err)
		}
		peeled := 0
		_ = refs.ForEach(func(r *plumbing.Reference) error {
			if r.Type() != plumbing.HashReference {
				return nil
			}
			got, err := peelStored(s, r.Hash())
			if r.Name() == "refs/tags/key" {
				if !errors.Is(err, errNotCommit) {
					t.Errorf("packed=%v: a tag on a blob peels to %s, %v; want errNotCommit", packed, got, err)
				}
				if _, err := h.peel(r.Hash()); !errors.Is(err, errNotCommit) {
					t.Errorf("packed=%v: peel of a tag on a blob: %v, want the store's answer", packed, err)
				}
				return nil
			}
			if err != nil {
				t.Errorf("packed=%v %s: %v", packed, r.Name(), err)
				return nil
			}
			want := second
			if r.Name().IsTag() {
				want = first
			}
			if got != want {
				t.Errorf("packed=%v %s peels to %s, want %s", packed, r.Name(), got, want)
			}
			peeled++
			return nil
		})
		if peeled != 3 {
			t.Errorf("packed=%v: %d refs peeled, want master and two tags", packed, peeled)
		}
		if h.head != second {
			t.Errorf("packed=%v: HEAD %s, want %s", packed, h.head, second)
		}
		st := sources.NewStats()
		h.opts.Stats = st
		p, data, ok := h.headFileStored(s, 100, []string{".github/CODEOWNERS", "LINKED", "docs", "missing/CODEOWNERS", "docs/CODEOWNERS"})
		if !ok || p != "docs/CODEOWNERS" || string(data) != "* @docs-team\n" {
			t.Errorf("packed=%v: store read %q %q %v, want docs/CODEOWNERS (too large, a link, a folder and a missing file skipped)", packed, p, data, ok)
		}
		if w := st.Snapshot().Warnings; len(w) != 1 || !strings.Contains(w[0].Place, ".github/CODEOWNERS") {
			t.Errorf("packed=%v: warnings %v, want one naming the oversized file", packed, w)
		}
		h.dropEarlyStore()
	}
}
