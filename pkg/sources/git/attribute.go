package git

import (
	"github.com/go-git/go-git/v5/plumbing"
)

// attributor decides which commits introduced which matches.
//
// A secret (a match key) at path P is introduced by commit C when C's blob
// at P holds it and no parent of C had it there. A secret that left
// another path in the same commit moved (a rename, or code moved between
// files) and is not introduced again; a merge introduces only what none
// of its parents had, so a branch's secrets are reported once, on the
// branch. Copying a secret to a new file is a new introduction: the secret
// has spread.
type attributor struct {
	tr      treeReader
	matches func(blob plumbing.Hash) []Match
	tree    func(commit plumbing.Hash) (plumbing.Hash, bool)
	bad     func(plumbing.Hash, error)
}

// intro is one match introduced at one path by one commit.
type intro struct {
	path string
	m    Match
}

// introduced returns what commit c introduced, in path order.
func (a *attributor) introduced(c *commitInfo) []intro {
	parents := c.parents
	if len(parents) == 0 {
		parents = []plumbing.Hash{{}} // a root commit: everything is new
	}
	var (
		cands map[string]map[string]bool // path -> new keys, against every parent so far
		order []change
	)
	for pi, p := range parents {
		var ptree plumbing.Hash
		if !p.IsZero() {
			var ok bool
			if ptree, ok = a.tree(p); !ok {
				ptree = plumbing.ZeroHash // parent beyond a shallow boundary
			}
		}
		changes := diffTrees(a.tr, ptree, c.tree, "", nil, a.bad)
		fresh := a.newAgainst(changes)
		if pi == 0 {
			cands, order = fresh, changes
			continue
		}
		for path, keys := range cands {
			other := fresh[path]
			for k := range keys {
				if !other[k] {
					delete(keys, k)
				}
			}
		}
	}
	var out []intro
	for _, ch := range order {
		keys := cands[ch.path]
		if len(keys) == 0 || ch.to.IsZero() {
			continue
		}
		for _, m := range a.matches(ch.to) {
			if keys[m.Key] {
				out = append(out, intro{path: ch.path, m: m})
			}
		}
	}
	return out
}

// newAgainst returns, per path, the keys the new side has that the old
// side did not have at that path and that did not leave another path.
func (a *attributor) newAgainst(changes []change) map[string]map[string]bool {
	gone := map[string]bool{}
	for _, ch := range changes {
		if ch.from.IsZero() {
			continue
		}
		after := keySet(a.matches(ch.to))
		for _, m := range a.matches(ch.from) {
			if !after[m.Key] {
				gone[m.Key] = true
			}
		}
	}
	out := map[string]map[string]bool{}
	for _, ch := range changes {
		if ch.to.IsZero() {
			continue
		}
		before := keySet(a.matches(ch.from))
		for _, m := range a.matches(ch.to) {
			if before[m.Key] || gone[m.Key] {
				continue
			}
			if out[ch.path] == nil {
				out[ch.path] = map[string]bool{}
			}
			out[ch.path][m.Key] = true
		}
	}
	return out
}

func keySet(ms []Match) map[string]bool {
	if len(ms) == 0 {
		return nil
	}
	s := make(map[string]bool, len(ms))
	for _, m := range ms {
		s[m.Key] = true
	}
	return s
}

// keysAt returns every key held anywhere in a tree.
func (a *attributor) keysAt(tree plumbing.Hash) map[string]bool {
	keys := map[string]bool{}
	if tree.IsZero() {
		return keys
	}
	for _, ch := range diffTrees(a.tr, plumbing.ZeroHash, tree, "", nil, a.bad) {
		for _, m := range a.matches(ch.to) {
			keys[m.Key] = true
		}
	}
	return keys
}
