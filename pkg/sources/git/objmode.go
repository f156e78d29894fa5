package git

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// maxCachedTrees bounds the tree cache of a scan through go-git.
const maxCachedTrees = 4096

// objectTrees lists trees through go-git, every entry.
type objectTrees struct {
	h     *History
	mu    sync.Mutex
	cache map[plumbing.Hash][]treeEntry
}

func (t *objectTrees) entries(id plumbing.Hash) ([]treeEntry, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if es, ok := t.cache[id]; ok {
		return es, nil
	}
	tree, err := object.GetTree(t.h.repo.Storer, id)
	if err != nil {
		return nil, fmt.Errorf("read tree: %w", err)
	}
	es := make([]treeEntry, 0, len(tree.Entries))
	for _, e := range tree.Entries {
		if e.Mode == filemode.Submodule {
			continue
		}
		es = append(es, treeEntry{name: e.Name, hash: e.Hash, tree: e.Mode == filemode.Dir})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
	if len(t.cache) >= maxCachedTrees {
		clear(t.cache) // consecutive commits share trees; old ones are rarely asked again
	}
	t.cache[id] = es
	return es, nil
}

// readObjects reads only what the chosen commits changed: the blobs on
// both sides of each commit's diff, and the commit messages.
func (h *History) readObjects(ctx context.Context, find Finder, sel []*commitInfo) (*Blobs, error) {
	st := h.opts.Stats
	trees := &objectTrees{h: h, cache: map[plumbing.Hash][]treeEntry{}}
	bad := func(id plumbing.Hash, err error) { st.Warn("tree "+id.String(), err.Error()) }
	var want []plumbing.Hash
	seen := map[plumbing.Hash]bool{}
	add := func(id plumbing.Hash) {
		if !id.IsZero() && !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	var touched []string
	touchedSeen := map[string]bool{}
	for _, c := range sel {
		parents := c.parents
		if len(parents) == 0 {
			parents = []plumbing.Hash{{}}
		}
		for _, p := range parents {
			var ptree plumbing.Hash
			if pc, ok := h.goGitCommit(p); ok {
				ptree = pc.tree
			}
			for _, ch := range diffTrees(trees, ptree, c.tree, "", nil, bad) {
				add(ch.to)
				add(ch.from)
				if !ch.to.IsZero() && !touchedSeen[ch.path] {
					touchedSeen[ch.path] = true
					touched = append(touched, ch.path)
				}
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	// The same paths at HEAD, to tell whether a secret is still there.
	headTree := plumbing.ZeroHash
	if hc, ok := h.goGitCommit(h.head); ok {
		headTree = hc.tree
		if t, err := object.GetTree(h.repo.Storer, headTree); err == nil {
			for _, p := range touched {
				if e, err := t.FindEntry(p); err == nil && e.Mode != filemode.Dir && e.Mode != filemode.Submodule {
					add(e.Hash)
				}
			}
		}
	}
	h.prog.total.Store(int64(len(want) + len(sel)))
	blobs, err := h.scanBlobs(ctx, find, want)
	if err != nil {
		return nil, err
	}
	messages := h.scanMessages(find, sel)
	b := &Blobs{
		commits:  sel,
		blobs:    func(id plumbing.Hash) []Match { return blobs[id] },
		messages: messages,
		trees:    trees,
		treeOf: func(id plumbing.Hash) (plumbing.Hash, bool) {
			c, ok := h.goGitCommit(id)
			if !ok {
				return plumbing.ZeroHash, false
			}
			return c.tree, true
		},
		meta:    h.meta,
		Commits: len(sel),
		Mode:    "objects",
	}
	b.headKeys = func(*attributor) map[string]bool {
		keys := map[string]bool{}
		t, err := object.GetTree(h.repo.Storer, headTree)
		if err != nil {
			return keys
		}
		for _, p := range touched {
			if e, err := t.FindEntry(p); err == nil {
				for _, m := range blobs[e.Hash] {
					keys[m.Key] = true
				}
			}
		}
		return keys
	}
	return b, nil
}

// scanBlobs reads blobs one at a time through go-git (its object store is
// not safe for concurrent reads) and scans them on the workers.
func (h *History) scanBlobs(ctx context.Context, find Finder, ids []plumbing.Hash) (map[plumbing.Hash][]Match, error) {
	type item struct {
		id   plumbing.Hash
		data []byte
	}
	st := h.opts.Stats
	cache := newLineCache()
	out := map[plumbing.Hash][]Match{}
	var mu sync.Mutex
	items := make(chan item, h.opts.Workers)
	var wg sync.WaitGroup
	for range h.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bs := newBlobScanner(find, h.opts.Limits, st, cache)
			for it := range items {
				res := bs.scan("blob "+it.id.String(), it.data, nil, nil)
				h.prog.done.Add(1)
				if len(res.matches) > 0 {
					mu.Lock()
					out[it.id] = res.matches
					mu.Unlock()
				}
			}
		}()
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		data, err := h.readBlob(id)
		if err != nil {
			st.Warn("object "+id.String(), fmt.Sprintf("corrupt or missing blob, skipped: %v", err))
			st.Skip(sources.SkipError)
			continue
		}
		if data != nil {
			items <- item{id, data}
		}
	}
	close(items)
	wg.Wait()
	return out, ctx.Err()
}

// readBlob returns a blob's content, or nil (and a warning) when it is
// larger than the size limit, without reading it.
func (h *History) readBlob(id plumbing.Hash) ([]byte, error) {
	b, err := h.repo.BlobObject(id)
	if err != nil {
		return nil, err
	}
	if max := h.opts.Limits.MaxSize; max > 0 && b.Size > max {
		h.opts.Stats.Skip(sources.SkipTooLarge)
		h.opts.Stats.Warn("blob "+id.String(), fmt.Sprintf("skipped: %d bytes is larger than --max-file-size (%d)", b.Size, max))
		return nil, nil
	}
	r, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return data, nil
}

// scanMessages scans the chosen commits' messages.
func (h *History) scanMessages(find Finder, sel []*commitInfo) map[plumbing.Hash][]Match {
	bs := newBlobScanner(find, h.opts.Limits, h.opts.Stats, newLineCache())
	out := map[plumbing.Hash][]Match{}
	for _, c := range sel {
		h.prog.done.Add(1)
		co, err := h.repo.CommitObject(c.hash)
		if err != nil {
			continue
		}
		if res := bs.scan("commit "+c.hash.String()+" message", []byte(co.Message), nil, nil); len(res.matches) > 0 {
			out[c.hash] = res.matches
		}
	}
	return out
}
