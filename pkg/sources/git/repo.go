// Package git reads git history: every blob reachable from the chosen
// commits is read once, and each match is then attributed to the commits
// and paths that introduced it, with author, date, message subject and
// whether the secret is still at HEAD. It also reads the staged changes
// of a work tree for a pre-commit hook. It uses go-git for refs, the index
// and small scopes, and its own packfile reader for whole histories; no
// git binary is needed.
//
// How a whole history is read, and why:
//
//   - Each pack is walked delta tree by delta tree (pack.go, packwalk.go):
//     every entry is inflated exactly once, a base before its deltas, on
//     several workers. Resolving objects one by one instead re-inflates
//     delta chains and is what makes go-git (or git cat-file) slow.
//   - A delta target keeps the matches of its base in the lines it copies
//     (blobscan.go); only the lines around the delta's edits are looked at.
//   - Of those lines, only the ones no blob version had before are handed
//     to the detector, with two lines of context; a line read once keeps
//     its matches in a cache of line hashes (linecache.go, blobwindows.go).
//     On curl that is about 100 MB read out of 4.8 GiB of blob versions,
//     with the same findings as reading every version whole.
//   - Trees are then reduced to the entries that lead to a blob with
//     matches (treeindex.go), and attribution diffs each chosen commit
//     against its parents through them (attribute.go, diff.go).
//
// Memory holds no blob contents beyond the delta chain being walked: the
// line-hash set, the commits, and the reduced trees.
package git

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Options says which history to read.
type Options struct {
	// Path is a work tree, its .git folder, or a bare repository.
	Path string
	// Name is how warnings name the repository (default: Path).
	Name string
	// Branch limits the scan to commits reachable from this revision
	// (a branch, tag or commit); empty means every ref.
	Branch string
	// Range is "A..B": commits reachable from B and not from A (either
	// side may be empty for HEAD), e.g. origin/main..HEAD for a pull
	// request.
	Range string
	// Since keeps commits committed at or after this time.
	Since time.Time
	// MaxCommits keeps the newest N commits (0 for all).
	MaxCommits int
	// Limits bound what is read of each blob, as for files.
	Limits sources.Limits
	// Exclude is asked for each path before a finding there is reported.
	Exclude func(path string) bool
	// Workers is how many objects are read at once (default: CPUs).
	Workers int
	Stats   *sources.Stats
}

// History is an opened repository and the commits chosen from it.
type History struct {
	opts    Options
	repo    *gogit.Repository
	objects string // objects folder
	sc      scope
	head    plumbing.Hash // commit at HEAD of the default branch, or zero
	shallow bool
	// forceObjects reads through go-git whatever the scope (tests compare
	// both ways of reading).
	forceObjects bool
	// exhaustive reads every blob version whole (see blobScanner).
	exhaustive bool
	prog       progressCount
	// early is the object store, opened while revisions resolve when the
	// scope is the whole history (see earlyStore).
	early *earlyStore
}

// Open opens a repository and resolves the options' revisions.
func Open(opts Options) (*History, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Stats == nil {
		opts.Stats = sources.NewStats()
	}
	if opts.Name == "" {
		opts.Name = opts.Path
	}
	repo, err := OpenRepo(opts.Path)
	if err != nil {
		return nil, err
	}
	fs, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open repository %s: not stored on disk", opts.Path)
	}
	h := &History{opts: opts, repo: repo, objects: filepath.Join(fs.Filesystem().Root(), "objects")}
	if opts.Range == "" && opts.Since.IsZero() && opts.MaxCommits == 0 {
		h.early = openStoreEarly(h.objects, opts.Stats)
	}
	if err := h.resolve(); err != nil {
		h.dropEarlyStore()
		return nil, err
	}
	if sh, err := repo.Storer.Shallow(); err == nil && len(sh) > 0 {
		h.shallow = true
		opts.Stats.Warn(opts.Name, fmt.Sprintf("shallow clone: history before %d boundary commit(s) is not in the repository; what those commits hold is reported as introduced by them (run git fetch --unshallow for the full history)", len(sh)))
	}
	return h, nil
}

// OpenRepo opens a bare repository, a work tree, or a work tree that
// holds the folder path.
func OpenRepo(path string) (*gogit.Repository, error) {
	// Without DetectDotGit go-git takes a folder without .git for a bare
	// repository; with it, it never does. Try the folder itself first.
	repo, err := gogit.PlainOpenWithOptions(path, &gogit.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err == nil {
		if _, herr := repo.Storer.Config(); herr == nil {
			if _, rerr := repo.Reference("HEAD", false); rerr == nil {
				return repo, nil
			}
		}
	}
	repo, err = gogit.PlainOpenWithOptions(path, &gogit.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	return repo, nil
}

// Shallow reports whether the repository is a shallow clone.
func (h *History) Shallow() bool { return h.shallow }

// resolve turns the options into tips to include and exclude.
func (h *History) resolve() error {
	h.head = h.defaultHead()
	o := h.opts
	switch {
	case o.Range != "":
		a, b, ok := strings.Cut(o.Range, "..")
		if !ok || strings.HasPrefix(b, ".") {
			return fmt.Errorf("--range %q: want A..B", o.Range)
		}
		from, err := h.revision(orHEAD(a))
		if err != nil {
			return err
		}
		to, err := h.revision(orHEAD(b))
		if err != nil {
			return err
		}
		h.sc.include, h.sc.exclude = []plumbing.Hash{to}, []plumbing.Hash{from}
	case o.Branch != "":
		c, err := h.revision(o.Branch)
		if err != nil {
			return err
		}
		h.sc.include = []plumbing.Hash{c}
	default:
		tips, err := h.allTips()
		if err != nil {
			return err
		}
		h.sc.include = tips
	}
	if !o.Since.IsZero() {
		h.sc.since = o.Since.Unix()
	}
	h.sc.max = o.MaxCommits
	return nil
}

func orHEAD(s string) string {
	if s == "" {
		return "HEAD"
	}
	return s
}

// revision resolves a revision to a commit.
func (h *History) revision(rev string) (plumbing.Hash, error) {
	id, err := h.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("unknown revision %q: %w", rev, err)
	}
	return h.peel(*id)
}

// peel follows annotated tags to the commit they name. Each object is
// read once: a tag says what type its target is, so the commit a tag
// names is not read to learn that it is one (a history with a thousand
// release tags read each tag twice and each tagged commit once before).
//
// When the scan opened the object store early (a whole-history scan), the
// objects are read from it: going through go-git first made go-git load
// its own index of every pack, a few hundred milliseconds of one core
// while the store was opening on both. go-git is the fallback for an
// object the store cannot read (one in an alternate repository, say).
func (h *History) peel(id plumbing.Hash) (plumbing.Hash, error) {
	if s := h.earlyStoreForReads(); s != nil {
		c, err := peelStored(s, id)
		if err == nil || errors.Is(err, errNotCommit) {
			return c, err // a tag on a tree or blob is an answer, not a failure to read
		}
	}
	for range 16 {
		obj, err := h.repo.Storer.EncodedObject(plumbing.AnyObject, id)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%s: %w", id, err)
		}
		switch obj.Type() {
		case plumbing.CommitObject:
			return id, nil
		case plumbing.TagObject:
			tag, err := object.DecodeTag(h.repo.Storer, obj)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("tag %s: %w", id, err)
			}
			if tag.TargetType == plumbing.CommitObject {
				return tag.Target, nil
			}
			id = tag.Target
		default:
			return plumbing.ZeroHash, fmt.Errorf("%s is not a commit", id)
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%s: tag chain too long", id)
}

// peelStored is peel reading objects from the store.
func peelStored(s *store, id plumbing.Hash) (plumbing.Hash, error) {
	var z inflater
	for range 16 {
		kind, data, err := s.readObject(id, &z, 0)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%s: %w", id, err)
		}
		switch kind {
		case objCommit:
			return id, nil
		case objTag:
			target, ok := tagTarget(data)
			if !ok {
				return plumbing.ZeroHash, fmt.Errorf("tag %s: %w", id, errBadObject)
			}
			id = target
		default:
			return plumbing.ZeroHash, fmt.Errorf("%s: %w", id, errNotCommit)
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%s: tag chain too long", id)
}

// errNotCommit is a ref that leads to a tree or a blob.
var errNotCommit = errors.New("not a commit")

// tagTarget reads what a raw tag object names: its first line is
// "object <id>".
func tagTarget(data []byte) (plumbing.Hash, bool) {
	line, _, _ := bytes.Cut(data, []byte{'\n'})
	hexID, ok := bytes.CutPrefix(line, []byte("object "))
	var h plumbing.Hash
	return h, ok && parseHex(hexID, &h)
}

// earlyStoreForReads returns the store opened early, once it is open, or
// nil when there is none or it failed to open (Read reports that).
func (h *History) earlyStoreForReads() *store {
	if h.early == nil {
		return nil
	}
	s, err := h.early.wait()
	if err != nil {
		return nil
	}
	return s
}

// allTips lists the commits every ref and HEAD point at.
func (h *History) allTips() ([]plumbing.Hash, error) {
	refs, err := h.repo.References()
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	seen := map[plumbing.Hash]bool{}
	var tips []plumbing.Hash
	err = refs.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference {
			return nil
		}
		c, err := h.peel(r.Hash())
		if err != nil {
			return nil // a tag on a tree or blob: no history behind it
		}
		if !seen[c] {
			seen[c] = true
			tips = append(tips, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	if !h.head.IsZero() && !seen[h.head] {
		tips = append(tips, h.head)
	}
	return tips, nil
}

// defaultHead is the commit at HEAD (in a bare repository, the default
// branch), falling back to origin's HEAD.
func (h *History) defaultHead() plumbing.Hash {
	if ref, err := h.repo.Head(); err == nil {
		if c, err := h.peel(ref.Hash()); err == nil {
			return c
		}
	}
	if ref, err := h.repo.Reference("refs/remotes/origin/HEAD", true); err == nil {
		if c, err := h.peel(ref.Hash()); err == nil {
			return c
		}
	}
	return plumbing.ZeroHash
}

// meta reads a commit's provenance.
func (h *History) meta(id plumbing.Hash) commitMeta {
	c, err := h.repo.CommitObject(id)
	if err != nil {
		return commitMeta{}
	}
	return metaOf(c)
}

func metaOf(c *object.Commit) commitMeta {
	m := commitMeta{author: c.Author.Name, email: c.Author.Email, when: c.Author.When}
	m.subject, m.subjectAt = subjectOf(c.Message)
	return m
}
