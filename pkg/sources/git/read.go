package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// objectModeLimit is how many commits a limited scope (a range, --since,
// --max-commits) may hold before the whole object store is read instead:
// reading a few commits' objects one by one is quicker than inflating
// every pack, but not for thousands.
const objectModeLimit = 1000

// Blobs is what Read found: the chosen commits, the matches of each blob
// and commit message, and how to list trees. Attribute turns it into
// findings.
type Blobs struct {
	commits  []*commitInfo // newest first
	blobs    func(plumbing.Hash) []Match
	messages map[plumbing.Hash][]Match
	trees    treeReader
	treeOf   func(commit plumbing.Hash) (plumbing.Hash, bool)
	headKeys func(a *attributor) map[string]bool
	meta     func(commit plumbing.Hash) commitMeta
	// Commits is the number of commits chosen.
	Commits int
	// Mode says how objects were read: "packs" or "objects".
	Mode  string
	close func()
}

// Close releases the files Read opened.
func (b *Blobs) Close() {
	if b.close != nil {
		b.close()
	}
}

// Read reads every blob and commit message of the chosen commits once
// and runs find on what has not been read before.
func (h *History) Read(ctx context.Context, find Finder) (*Blobs, error) {
	limited := len(h.sc.exclude) > 0 || h.sc.since != 0 || h.sc.max != 0
	if limited || h.hasAlternates() || h.forceObjects {
		limit := objectModeLimit
		if h.hasAlternates() || h.forceObjects {
			limit = 0 // objects may live elsewhere: go through go-git
		}
		sel, err := selectCommits(h.goGitCommit, h.sc, limit)
		switch {
		case err == nil:
			h.dropEarlyStore()
			return h.readObjects(ctx, find, sel)
		case !errors.Is(err, errTooMany):
			h.dropEarlyStore()
			return nil, err
		}
	}
	return h.readPacks(ctx, find)
}

func (h *History) hasAlternates() bool {
	_, err := os.Stat(filepath.Join(h.objects, "info", "alternates"))
	return err == nil
}

// readPacks reads the whole object store, each delta tree from its root.
func (h *History) readPacks(ctx context.Context, find Finder) (*Blobs, error) {
	st := h.opts.Stats
	s, err := h.takeStore()
	if err != nil {
		return nil, err
	}
	// go-git is done: resolving refs made it index the packs (tens of
	// megabytes for a large repository), which the walk does not need.
	h.repo = nil
	h.prog.total.Store(s.objectCount())
	w := &packWalk{s: s, find: find, lim: h.opts.Limits, st: st, cache: newLineCache(), workers: h.opts.Workers, exhaustive: h.exhaustive, done: &h.prog.done}
	if err := w.run(ctx, phaseBlobs); err != nil {
		s.close()
		return nil, err
	}
	w.trees = newTreeIndex(s, w.blobs)
	if err := w.run(ctx, phaseTrees); err != nil {
		s.close()
		return nil, err
	}
	w.trees.prune()
	if n := len(w.trees.missing); n > 0 {
		st.Warn(h.name(), fmt.Sprintf("%d tree(s) referenced by other trees are missing (a partial or damaged clone); what they hold is not scanned", n))
	}
	get := func(id plumbing.Hash) (*commitInfo, bool) {
		c, ok := w.commits[id]
		return c, ok
	}
	sel, err := selectCommits(get, h.sc, 0)
	if err != nil {
		s.close()
		return nil, err
	}
	b := &Blobs{
		commits:  sel,
		blobs:    func(id plumbing.Hash) []Match { return w.blobs[id] },
		messages: w.messages,
		trees:    w.trees,
		treeOf: func(id plumbing.Hash) (plumbing.Hash, bool) {
			c, ok := w.commits[id]
			if !ok {
				return plumbing.ZeroHash, false
			}
			return c.tree, true
		},
		meta:    func(id plumbing.Hash) commitMeta { return storeMeta(s, id) },
		Commits: len(sel),
		Mode:    "packs",
		close:   s.close,
	}
	b.headKeys = func(a *attributor) map[string]bool {
		tree, ok := b.treeOf(h.head)
		if !ok {
			return nil
		}
		return a.keysAt(tree)
	}
	return b, nil
}

func (h *History) name() string { return h.opts.Name }

// goGitCommit reads a commit through go-git.
func (h *History) goGitCommit(id plumbing.Hash) (*commitInfo, bool) {
	c, err := h.repo.CommitObject(id)
	if err != nil {
		return nil, false
	}
	return &commitInfo{hash: id, tree: c.TreeHash, parents: c.ParentHashes, when: c.Committer.When.Unix()}, true
}

// parallelAttributionMin is the number of commits from which attribution
// is spread over the workers (tests lower it).
var parallelAttributionMin = 1024

// introducedAll works out what each commit introduced, on the walk's
// workers when the trees come from the pack walk's index (read-only by
// now): on git/git this was a third of a second on one core at the end of
// the scan. Damaged trees are reported in commit order, as one worker
// would.
func (h *History) introducedAll(a *attributor, b *Blobs) [][]intro {
	out := make([][]intro, len(b.commits))
	workers := h.opts.Workers
	if b.Mode != "packs" || workers < 2 || len(b.commits) < parallelAttributionMin {
		for i, c := range b.commits {
			out[i] = a.introduced(c)
		}
		return out
	}
	type damage struct {
		id  plumbing.Hash
		err error
	}
	damaged := make([][]damage, len(b.commits))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wa := *a
			i := 0
			wa.bad = func(id plumbing.Hash, err error) { damaged[i] = append(damaged[i], damage{id, err}) }
			for {
				i = int(next.Add(1) - 1)
				if i >= len(b.commits) {
					return
				}
				out[i] = wa.introduced(b.commits[i])
			}
		}()
	}
	wg.Wait()
	for _, ds := range damaged {
		for _, d := range ds {
			a.bad(d.id, d.err)
		}
	}
	return out
}

// Attribute expands the matches into one finding per commit and path that
// introduced them, newest commit first.
func (h *History) Attribute(b *Blobs) []Finding {
	warned := map[plumbing.Hash]bool{}
	a := &attributor{tr: b.trees, matches: b.blobs, tree: b.treeOf, bad: func(id plumbing.Hash, err error) {
		if !warned[id] {
			warned[id] = true
			h.opts.Stats.Warn("tree "+id.String(), fmt.Sprintf("%v; changes under it are not attributed", err))
		}
	}}
	atHead := b.headKeys(a)
	introsOf := h.introducedAll(a, b)
	var out []Finding
	for ci, c := range b.commits {
		intros := introsOf[ci]
		msgs := b.messages[c.hash]
		if len(intros) == 0 && len(msgs) == 0 {
			continue
		}
		meta := b.meta(c.hash)
		subject := redactedSubject(meta, msgs)
		origins := map[string]*sources.Origin{}
		originAt := func(path string, head bool) *sources.Origin {
			k := path + "\x00" + fmt.Sprint(head)
			if o := origins[k]; o != nil {
				return o
			}
			o := &sources.Origin{Source: sources.KindGit, Path: path, Git: &sources.GitOrigin{
				Commit: c.hash.String(), Author: meta.author, Email: meta.email,
				Date: meta.when, Message: subject, PresentAtHEAD: head,
			}}
			origins[k] = o
			return o
		}
		for _, in := range intros {
			// An archive is excluded whole by its own path, as in `sprawl dir`.
			if h.opts.Exclude != nil && h.opts.Exclude(in.path) {
				h.opts.Stats.Skip(sources.SkipExcluded)
				continue
			}
			out = append(out, Finding{Origin: originAt(in.path+in.m.Member, atHead[in.m.Key]), Match: in.m})
		}
		for _, m := range msgs {
			out = append(out, Finding{Origin: originAt("", false), Match: m})
		}
	}
	return out
}
