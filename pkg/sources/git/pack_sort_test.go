package git

import (
	"math/rand"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// sortByOffset must order positions by offset whatever the number of
// radix passes the largest offset needs (one, two, three: packs past
// 4 GiB), and keep every position exactly once.
func TestSortByOffset(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, top := range []int64{1 << 12, 1 << 20, 1 << 33, 1 << 50} {
		for _, n := range []int{0, 1, 2, 1000} {
			offs := make([]int64, n)
			seen := map[int64]bool{}
			for i := range offs {
				for {
					o := rng.Int63n(top)
					if !seen[o] {
						seen[o] = true
						offs[i] = o
						break
					}
				}
			}
			order := make([]uint32, n)
			for i := range order {
				order[i] = uint32(i)
			}
			sortByOffset(order, offs)
			want := slices.Clone(order)
			slices.SortFunc(want, func(a, b uint32) int {
				switch {
				case offs[a] < offs[b]:
					return -1
				case offs[a] > offs[b]:
					return 1
				}
				return 0
			})
			if !slices.Equal(order, want) {
				t.Fatalf("top %d, %d entries: order %v, want %v", top, n, order[:min(n, 8)], want[:min(n, 8)])
			}
		}
	}
}

// Headers read from the mapped pack (on several goroutines) and through
// plain reads (where packs are not mapped) must agree entry for entry.
func TestPackHeadersMappedAndRead(t *testing.T) {
	_, st := packedStory(t)
	if len(st.packs) == 0 {
		t.Fatal("repack left no pack")
	}
	for _, p := range st.packs {
		if p.data == nil {
			t.Skip("packs are not mapped on this platform")
		}
		mapped := slices.Clone(p.ent)
		info, err := p.f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		data := p.data
		p.data = nil
		err = p.readHeaders(info.Size())
		p.data = data
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.ent, mapped) {
			t.Fatalf("%s: headers differ between mapped and read", p.path)
		}
		deltas := 0
		for _, e := range mapped {
			if e.isDelta() {
				deltas++
			}
		}
		if deltas == 0 {
			t.Error("fixture pack has no deltas: the base lookups went untested")
		}
	}
}

// A phase's tasks are its delta-tree roots, every one of them, in file
// order pack by pack (which the walk relies on for locality), taken from
// the order the header reading sorted rather than sorted again.
func TestWalkTasksInFileOrder(t *testing.T) {
	_, st := packedStory(t)
	w := &packWalk{s: st}
	for _, phase := range []int{phaseBlobs, phaseTrees} {
		tasks := w.tasks(phase)
		want := 0
		for _, p := range st.packs {
			for _, e := range p.ent {
				if e.base == externalBase || (e.base == noBase && (e.kind == objTree) == (phase == phaseTrees)) {
					want++
				}
			}
		}
		if want == 0 || len(tasks) != want+len(st.loose) {
			t.Fatalf("phase %d: %d tasks, want %d roots and %d loose", phase, len(tasks), want, len(st.loose))
		}
		for k := 1; k < len(tasks) && tasks[k].p != nil; k++ {
			a, b := tasks[k-1], tasks[k]
			if a.p == b.p && a.p.idx.offsets[a.i] >= b.p.idx.offsets[b.i] || a.p != b.p && a.p.firstID > b.p.firstID {
				t.Fatalf("phase %d: task %d is not after task %d in file order", phase, k, k-1)
			}
		}
	}
}

// A pack index is mapped where the platform allows (a staged check looks
// up a few objects in tens of megabytes); every object must be found at
// its own position through the mapping, and closing twice is harmless.
func TestPackIndexMapped(t *testing.T) {
	s := newStory(t)
	s.f.repack()
	idxs, err := filepath.Glob(filepath.Join(s.f.dir, ".git", "objects", "pack", "pack-*.idx"))
	if err != nil || len(idxs) == 0 {
		t.Fatalf("no pack index: %v", err)
	}
	ix, err := readPackIndex(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	if ix.mapped == nil && (runtime.GOOS == "linux" || runtime.GOOS == "darwin") {
		t.Error("the index was read, not mapped")
	}
	if ix.count() == 0 {
		t.Fatal("empty index")
	}
	for i := 0; i < ix.count(); i++ {
		if got := ix.find(ix.hash(i)); got != i {
			t.Fatalf("object %d found at %d", i, got)
		}
	}
	ix.close()
	ix.close()
	if ix.mapped != nil {
		t.Error("still mapped after close")
	}
}

// packedStory is the history story repacked with deltas, and its object
// store, open until the test ends.
func packedStory(t *testing.T) (*story, *store) {
	t.Helper()
	s := newStory(t)
	s.f.repack()
	st, err := openStore(s.f.dir+"/.git/objects", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.close)
	return s, st
}
