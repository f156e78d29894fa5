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
//
// Entries live in a few large arrays rather than a slice per tree: a
// history has hundreds of thousands of trees (git's own: 360,000 holding
// five million subtree entries), and per-tree slices cost more in headers
// and growth than the entries themselves.
type treeIndex struct {
	s      *store
	blobs  map[plumbing.Hash][]Match
	blobID []plumbing.Hash // blob number -> id, for entries
	blobNo map[plumbing.Hash]uint32
	// filter has a bit per 16-bit id prefix of the blobs with matches: at
	// 8 KiB it stays in the first-level cache while tens of millions of
	// entries are checked against it (a 24-bit one, 2 MiB, missed the
	// cache on most of them); the few false hits go on to blobNo.
	filter []uint64

	mu    sync.Mutex
	names map[string]uint32
	name  []string
	arena [][]uint64 // entries: name<<32 | id, id's top bit set for a blob

	refs    []treeRef // by object number
	missing map[plumbing.Hash]bool
	reach   []int8 // 0 unknown, 1 leads to matches, -1 does not
}

// treeRef locates a tree's entries in the arena.
type treeRef struct {
	chunk, off, n uint32
	parsed        bool
}

const (
	arenaChunk = 1 << 16
	blobEntry  = 1 << 31
)

func newTreeIndex(s *store, blobs map[plumbing.Hash][]Match) *treeIndex {
	t := &treeIndex{
		s: s, blobs: blobs, blobNo: map[plumbing.Hash]uint32{},
		filter: make([]uint64, 1<<16/64),
		names:  map[string]uint32{}, missing: map[plumbing.Hash]bool{},
		refs: make([]treeRef, s.total),
	}
	for h := range blobs {
		t.blobNo[h] = uint32(len(t.blobID))
		t.blobID = append(t.blobID, h)
		p := prefix16(h[:])
		t.filter[p/64] |= 1 << (p % 64)
	}
	return t
}

func prefix16(b []byte) uint32 { return uint32(b[0])<<8 | uint32(b[1]) }

// treeScratch is one worker's buffer for the entries of the tree it reads.
type treeScratch struct {
	names [][]byte
	ids   []uint32
	miss  []plumbing.Hash
	// subtrees remembers recently looked-up subtree ids: most entries of
	// a tree version name the same subtrees as the version before, and a
	// lookup in the pack index is a binary search through memory the
	// cache does not hold (git's history has five million such entries).
	subtrees []subtreeSlot
}

type subtreeSlot struct {
	h  plumbing.Hash
	id uint32
}

const subtreeSlots = 1 << 14

// subtreeID is store.id through the worker's cache.
func (t *treeIndex) subtreeID(h plumbing.Hash, sc *treeScratch) (uint32, bool) {
	if sc.subtrees == nil {
		sc.subtrees = make([]subtreeSlot, subtreeSlots)
	}
	slot := &sc.subtrees[(uint32(h[0])<<8|uint32(h[1]))%subtreeSlots]
	if slot.h == h && !h.IsZero() {
		return slot.id, true
	}
	id, ok := t.s.id(h)
	if ok {
		slot.h, slot.id = h, id
	}
	return id, ok
}

// add reads one tree. Workers call it concurrently for different trees.
func (t *treeIndex) add(id uint32, data []byte, sc *treeScratch) error {
	sc.names, sc.ids, sc.miss = sc.names[:0], sc.ids[:0], sc.miss[:0]
	err := forEachTreeEntry(data, func(name, _ []byte, kind int, raw []byte) {
		switch kind {
		case entryTree:
			var h plumbing.Hash
			copy(h[:], raw)
			sub, ok := t.subtreeID(h, sc)
			if !ok {
				sc.miss = append(sc.miss, h)
				return
			}
			sc.names, sc.ids = append(sc.names, name), append(sc.ids, sub)
		case entryBlob:
			p := prefix16(raw)
			if t.filter[p/64]&(1<<(p%64)) == 0 {
				return
			}
			var h plumbing.Hash
			copy(h[:], raw)
			if no, ok := t.blobNo[h]; ok {
				sc.names, sc.ids = append(sc.names, name), append(sc.ids, no|blobEntry)
			}
		}
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, h := range sc.miss {
		t.missing[h] = true
	}
	ref := t.alloc(len(sc.ids))
	block := t.arena[ref.chunk][ref.off : ref.off+ref.n]
	for i, n := range sc.names {
		block[i] = uint64(t.intern(n))<<32 | uint64(sc.ids[i])
	}
	ref.parsed = true
	t.refs[id] = ref
	if err != nil {
		return fmt.Errorf("tree: %w", err)
	}
	return nil
}

// alloc reserves n entries; the caller holds t.mu.
func (t *treeIndex) alloc(n int) treeRef {
	k := len(t.arena) - 1
	if k < 0 || len(t.arena[k])+n > cap(t.arena[k]) {
		t.arena = append(t.arena, make([]uint64, 0, max(n, arenaChunk)))
		k++
	}
	off := len(t.arena[k])
	t.arena[k] = t.arena[k][:off+n]
	return treeRef{chunk: uint32(k), off: uint32(off), n: uint32(n)}
}

// intern numbers a name; the caller holds t.mu.
func (t *treeIndex) intern(b []byte) uint32 {
	if n, ok := t.names[string(b)]; ok {
		return n
	}
	n := uint32(len(t.name))
	s := string(b)
	t.names[s] = n
	t.name = append(t.name, s)
	return n
}

func (t *treeIndex) entriesOf(id uint32) []uint64 {
	r := t.refs[id]
	if r.n == 0 {
		return nil
	}
	return t.arena[r.chunk][r.off : r.off+r.n]
}

// prune computes which trees lead to a blob with matches, and keeps only
// their entries that do, in a new, small arena.
func (t *treeIndex) prune() {
	t.reach = make([]int8, len(t.refs))
	for id := range t.refs {
		if t.refs[id].parsed {
			t.reaches(uint32(id), 0)
		}
	}
	old := t.arena
	t.arena = nil
	for id := range t.refs {
		if t.reach[id] != 1 {
			t.refs[id].n = 0
			continue
		}
		r := t.refs[id]
		var kept []uint64
		for _, e := range old[r.chunk][r.off : r.off+r.n] {
			if sub := uint32(e); sub&blobEntry != 0 || t.reach[sub] == 1 {
				kept = append(kept, e)
			}
		}
		nr := t.alloc(len(kept))
		copy(t.arena[nr.chunk][nr.off:], kept)
		nr.parsed = true
		t.refs[id] = nr
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
	for _, e := range t.entriesOf(id) {
		if sub := uint32(e); sub&blobEntry != 0 || t.reaches(sub, depth+1) {
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
	if !ok || !t.refs[id].parsed {
		return nil, fmt.Errorf("tree %s is missing or unreadable", h)
	}
	es := t.entriesOf(id)
	out := make([]treeEntry, 0, len(es))
	for _, e := range es {
		sub := uint32(e)
		te := treeEntry{name: t.name[e>>32], tree: sub&blobEntry == 0}
		if te.tree {
			te.hash = t.s.hashOf(sub)
		} else {
			te.hash = t.blobID[sub&^blobEntry]
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
