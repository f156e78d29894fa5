package git

import (
	"math/rand"
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
	s := newStory(t)
	s.f.repack()
	st, err := openStore(s.f.dir+"/.git/objects", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
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
