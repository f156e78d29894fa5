package git

import (
	"github.com/go-git/go-git/v5/plumbing"
)

// treeEntry is one entry of a tree, as a diff needs it.
type treeEntry struct {
	name string
	hash plumbing.Hash
	tree bool
}

// treeReader lists a tree's entries sorted by name. The pack walk's
// reader lists only entries that lead to blobs with matches, which is all
// attribution needs; the object reader lists every entry.
type treeReader interface {
	entries(h plumbing.Hash) ([]treeEntry, error)
}

// change is a path whose blob differs between two trees; a zero hash is
// "absent".
type change struct {
	path     string
	from, to plumbing.Hash
}

// diffTrees lists the blob changes between trees a and b (either may be
// zero), skipping subtrees that are identical. A tree that cannot be read
// is reported through bad and treated as empty.
func diffTrees(tr treeReader, a, b plumbing.Hash, prefix string, out []change, bad func(plumbing.Hash, error)) []change {
	if a == b {
		return out
	}
	ea := readEntries(tr, a, bad)
	eb := readEntries(tr, b, bad)
	i, j := 0, 0
	for i < len(ea) || j < len(eb) {
		switch {
		case j == len(eb) || (i < len(ea) && ea[i].name < eb[j].name):
			out = diffEntry(tr, &ea[i], nil, prefix, out, bad)
			i++
		case i == len(ea) || eb[j].name < ea[i].name:
			out = diffEntry(tr, nil, &eb[j], prefix, out, bad)
			j++
		default:
			x, y := &ea[i], &eb[j]
			if x.tree == y.tree {
				out = diffEntry(tr, x, y, prefix, out, bad)
			} else {
				out = diffEntry(tr, x, nil, prefix, out, bad)
				out = diffEntry(tr, nil, y, prefix, out, bad)
			}
			i++
			j++
		}
	}
	return out
}

// diffEntry compares two entries of the same name and kind (either nil).
func diffEntry(tr treeReader, x, y *treeEntry, prefix string, out []change, bad func(plumbing.Hash, error)) []change {
	var from, to plumbing.Hash
	e := x
	if x != nil {
		from = x.hash
	}
	if y != nil {
		to = y.hash
		e = y
	}
	if from == to {
		return out
	}
	path := prefix + e.name
	if e.tree {
		return diffTrees(tr, from, to, path+"/", out, bad)
	}
	return append(out, change{path: path, from: from, to: to})
}

func readEntries(tr treeReader, h plumbing.Hash, bad func(plumbing.Hash, error)) []treeEntry {
	if h.IsZero() {
		return nil
	}
	es, err := tr.entries(h)
	if err != nil {
		bad(h, err)
		return nil
	}
	return es
}
