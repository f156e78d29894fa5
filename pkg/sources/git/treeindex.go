package git

import (
	"fmt"
	"sort"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// treeIndex keeps, of every tree in the store, only what attribution can
// use: its subtrees and its entries for blobs that hold matches. Once all
// trees are read, trees that lead to no such blob are dropped, so what
// remains is small however long the history is.
type treeIndex struct {
	s      *store
	blobs  map[plumbing.Hash][]Match
	blobID []plumbing.Hash // blob number -> id, for entries
	blobNo map[plumbing.Hash]uint32
	filter []uint64 // bit per 24-bit id prefix of the blobs with matches

	mu    sync.Mutex
	names map[string]uint32
	name  []string

	sums    [][]sumEntry // by object number
	parsed  []bool
	missing map[plumbing.Hash]bool // subtrees referenced but not in the store
	reach   []int8                 // 0 unknown, 1 leads to matches, -1 does not
}

type sumEntry struct {
	name uint32
	id   uint32 // object number of a subtree, or blob number
	tree bool
}

func newTreeIndex(s *store, blobs map[plumbing.Hash][]Match) *treeIndex {
	t := &treeIndex{
		s: s, blobs: blobs, blobNo: map[plumbing.Hash]uint32{},
		filter: make([]uint64, 1<<24/64),
		names:  map[string]uint32{}, missing: map[plumbing.Hash]bool{},
		sums: make([][]sumEntry, s.total), parsed: make([]bool, s.total),
	}
	for h := range blobs {
		t.blobNo[h] = uint32(len(t.blobID))
		t.blobID = append(t.blobID, h)
		p := prefix24(h[:])
		t.filter[p/64] |= 1 << (p % 64)
	}
	return t
}

func prefix24(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

// add reads one tree. Workers call it concurrently for different trees.
func (t *treeIndex) add(id uint32, data []byte) error {
	var ents []sumEntry
	var bad error
	err := forEachTreeEntry(data, func(name []byte, kind int, raw []byte) {
		switch kind {
		case entryTree:
			var h plumbing.Hash
			copy(h[:], raw)
			sub, ok := t.s.id(h)
			if !ok {
				t.mu.Lock()
				t.missing[h] = true
				t.mu.Unlock()
				return
			}
			ents = append(ents, sumEntry{name: t.intern(name), id: sub, tree: true})
		case entryBlob:
			p := prefix24(raw)
			if t.filter[p/64]&(1<<(p%64)) == 0 {
				return
			}
			var h plumbing.Hash
			copy(h[:], raw)
			if no, ok := t.blobNo[h]; ok {
				ents = append(ents, sumEntry{name: t.intern(name), id: no})
			}
		}
	})
	if err != nil {
		bad = fmt.Errorf("tree: %w", err)
	}
	t.sums[id] = ents
	t.parsed[id] = true
	return bad
}

func (t *treeIndex) intern(b []byte) uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := t.names[string(b)]; ok {
		return n
	}
	n := uint32(len(t.name))
	s := string(b)
	t.names[s] = n
	t.name = append(t.name, s)
	return n
}

// prune computes which trees lead to a blob with matches and forgets the
// others.
func (t *treeIndex) prune() {
	t.reach = make([]int8, len(t.sums))
	for id := range t.sums {
		if t.parsed[id] {
			t.reaches(uint32(id), 0)
		}
	}
	for id := range t.sums {
		if t.reach[id] != 1 {
			t.sums[id] = nil
			continue
		}
		kept := t.sums[id][:0]
		for _, e := range t.sums[id] {
			if !e.tree || t.reach[e.id] == 1 {
				kept = append(kept, e)
			}
		}
		t.sums[id] = kept
	}
}

func (t *treeIndex) reaches(id uint32, depth int) bool {
	switch t.reach[id] {
	case 1:
		return true
	case -1:
		return false
	}
	t.reach[id] = -1 // also guards against a cycle in a corrupt store
	if depth > 4096 {
		return false
	}
	ok := false
	for _, e := range t.sums[id] {
		if !e.tree || t.reaches(e.id, depth+1) {
			ok = true
		}
	}
	if ok {
		t.reach[id] = 1
	}
	return ok
}

// entries implements treeReader: the kept entries of one tree, sorted by
// name. A tree that was never read is an error naming it.
func (t *treeIndex) entries(h plumbing.Hash) ([]treeEntry, error) {
	id, ok := t.s.id(h)
	if !ok || !t.parsed[id] {
		return nil, fmt.Errorf("tree %s is missing or unreadable", h)
	}
	sums := t.sums[id]
	out := make([]treeEntry, 0, len(sums))
	for _, e := range sums {
		te := treeEntry{name: t.name[e.name], tree: e.tree}
		if e.tree {
			te.hash = t.s.hashOf(e.id)
		} else {
			te.hash = t.blobID[e.id]
		}
		out = append(out, te)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// hashOf returns the id of object number n.
func (s *store) hashOf(n uint32) plumbing.Hash {
	if n >= s.looseBase {
		return s.loose[n-s.looseBase]
	}
	i := sort.Search(len(s.packs), func(i int) bool { return s.packs[i].firstID > n }) - 1
	p := s.packs[i]
	return p.idx.hash(int(n - p.firstID))
}
