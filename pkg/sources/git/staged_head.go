package git

import (
	"crypto/sha1"
	"fmt"
	"path"
	"sort"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// indexTrees returns the tree id git would write for every folder of the
// index ("" is the root). Comparing them with HEAD's trees finds the
// changed folders without reading the unchanged ones, which is what keeps
// the pre-commit check fast in a large repository. Entries that are not
// part of a commit (conflicts, intent-to-add) are left out, so their
// folders differ and are compared entry by entry.
func indexTrees(entries []*index.Entry) map[string]plumbing.Hash {
	type item struct {
		name string
		mode filemode.FileMode
		hash plumbing.Hash
	}
	dirs := map[string][]item{"": nil}
	var addDir func(d string)
	addDir = func(d string) {
		if _, ok := dirs[d]; ok {
			return
		}
		dirs[d] = nil
		parent := path.Dir(d)
		if parent == "." {
			parent = ""
		}
		addDir(parent)
	}
	for _, e := range entries {
		if e.Stage != 0 || e.IntentToAdd {
			continue
		}
		d := path.Dir(e.Name)
		if d == "." {
			d = ""
		}
		addDir(d)
		dirs[d] = append(dirs[d], item{path.Base(e.Name), e.Mode, e.Hash})
	}
	// Deepest folders first, so each child's id is known before its parent.
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	depth := func(d string) int {
		if d == "" {
			return 0
		}
		n := 1
		for _, c := range d {
			if c == '/' {
				n++
			}
		}
		return n
	}
	sort.Slice(names, func(i, j int) bool { return depth(names[i]) > depth(names[j]) })
	out := map[string]plumbing.Hash{}
	for _, d := range names {
		items := dirs[d]
		sort.Slice(items, func(i, j int) bool {
			return gitName(items[i].name, items[i].mode) < gitName(items[j].name, items[j].mode)
		})
		var body []byte
		for _, it := range items {
			body = append(body, strconv.FormatUint(uint64(it.mode), 8)...)
			body = append(body, ' ')
			body = append(body, it.name...)
			body = append(body, 0)
			body = append(body, it.hash[:]...)
		}
		h := sha1.New()
		fmt.Fprintf(h, "tree %d\x00", len(body))
		h.Write(body)
		var id plumbing.Hash
		copy(id[:], h.Sum(nil))
		out[d] = id
		if d != "" {
			parent := path.Dir(d)
			if parent == "." {
				parent = ""
			}
			dirs[parent] = append(dirs[parent], item{path.Base(d), filemode.Dir, id})
		}
	}
	return out
}

// gitName is the sort key of a tree entry: folders sort as if their name
// ended with a slash.
func gitName(name string, mode filemode.FileMode) string {
	if mode == filemode.Dir {
		return name + "/"
	}
	return name
}

// headChanges lists HEAD's files in the folders whose tree differs from
// the index's, and the folders that are the same on both sides (same in
// records them), whose files need no comparison.
func headChanges(ls *lazyStore, z *inflater, tree plumbing.Hash, dir string, idx map[string]plumbing.Hash, out map[string]plumbing.Hash, same map[string]bool) error {
	if idx[dir] == tree {
		same[dir] = true
		return nil
	}
	kind, data, err := ls.read(tree, z)
	if err != nil || kind != objTree {
		return fmt.Errorf("read HEAD tree %s: %v", tree, err)
	}
	var subs []treeEntry
	err = forEachTreeEntry(data, func(name, _ []byte, kind int, raw []byte) {
		var h plumbing.Hash
		copy(h[:], raw)
		p := string(name)
		if dir != "" {
			p = dir + "/" + p
		}
		switch kind {
		case entryTree:
			subs = append(subs, treeEntry{name: p, hash: h, tree: true})
		case entryBlob:
			out[p] = h
		}
	})
	if err != nil {
		return fmt.Errorf("read HEAD tree %s: %w", tree, err)
	}
	for _, s := range subs {
		if err := headChanges(ls, z, s.hash, s.name, idx, out, same); err != nil {
			return err
		}
	}
	return nil
}

// inSame reports whether a file lies in a folder that is the same in HEAD
// and in the index.
func inSame(name string, same map[string]bool) bool {
	if same[""] {
		return true
	}
	for d := path.Dir(name); d != "." && d != "/"; d = path.Dir(d) {
		if same[d] {
			return true
		}
	}
	return false
}
