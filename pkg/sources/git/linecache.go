package git

import (
	"hash/maphash"
	"sync"
)

// lineCache remembers every line the detector has already read, and what
// it found on it. Git history repeats the same lines in thousands of blob
// versions; detection looks at a match's own lines, so a line read once
// never needs reading again: its matches are copied from the cache. That
// is what keeps a full-history scan close to the size of the unique lines
// (about 100 MB of curl's 4.8 GiB of blob versions).
//
// One lock guards the whole cache and a blob holds it (shared) while it
// looks its lines up, so that another worker's update is seen entirely or
// not at all; otherwise a match spread over several lines could be missed
// depending on scheduling.
type lineCache struct {
	seed maphash.Seed
	mu   sync.RWMutex
	// slots is an open-addressing set of line hashes: 8 bytes a line, a
	// third of what a Go map takes, and one memory access per lookup.
	// Bit 0 marks a used slot, bit 1 a line with matches in found.
	slots []uint64
	used  int
	found map[uint64][]lineMatch
}

// lineMatch is a match that starts on a cached line.
type lineMatch struct {
	col   int    // byte offset of the match from the line's start
	lines int    // further lines the match covers
	span  uint64 // hash of all the match's lines, checked before reuse when lines > 0
	m     Match  // Offset and Line are rewritten on reuse
}

const (
	slotUsed  = 1
	slotFound = 2
)

func newLineCache() *lineCache {
	return &lineCache{seed: maphash.MakeSeed(), slots: make([]uint64, 1<<16), found: map[uint64][]lineMatch{}}
}

func (c *lineCache) hash(b []byte) uint64 { return maphash.Bytes(c.seed, b)&^3 | slotUsed }

// slot returns where a hash is or would go.
func (c *lineCache) slot(h uint64) int {
	mask := len(c.slots) - 1
	for i := int(h>>2) & mask; ; i = (i + 1) & mask {
		if s := c.slots[i]; s == 0 || s&^slotFound == h {
			return i
		}
	}
}

// touch loads the first slot of every line's hash and returns a value
// made from them, which the caller keeps so the loads are not dropped.
// The table is far larger than the processor's caches and each lookup
// misses; these loads do not depend on one another, so the processor
// overlaps their misses, which the probing loop of slot, whose branches
// wait for each load, would otherwise take one after another.
// The caller holds c.mu for reading.
func (c *lineCache) touch(lines []lineInfo) uint64 {
	mask := len(c.slots) - 1
	var sum uint64
	for i := range lines {
		if h := lines[i].hash; h != 0 {
			sum += c.slots[int(h>>2)&mask]
		}
	}
	return sum
}

// lookup returns whether a line was read before and what starts on it.
// The caller holds c.mu for reading.
func (c *lineCache) lookup(h uint64) ([]lineMatch, bool) {
	s := c.slots[c.slot(h)]
	if s == 0 {
		return nil, false
	}
	if s&slotFound == 0 {
		return nil, true
	}
	return c.found[h], true
}

// lineRecord is what a scan learned about one line.
type lineRecord struct {
	hash    uint64
	matches []lineMatch
}

// store records scanned lines. Lines that carry matches are stored before
// the others so that no reader can see a line as read before its matches
// are there; matches are added to lines already known (a key's BEGIN line
// is shared by every key) unless the same match is already recorded.
func (c *lineCache) store(recs []lineRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for pass := 0; pass < 2; pass++ {
		for _, r := range recs {
			if (len(r.matches) > 0) != (pass == 0) {
				continue
			}
			if (c.used+1)*4 > len(c.slots)*3 {
				c.grow()
			}
			i := c.slot(r.hash)
			if c.slots[i] == 0 {
				c.used++
				c.slots[i] = r.hash
			}
			if len(r.matches) == 0 {
				continue
			}
			c.slots[i] |= slotFound
			for _, m := range r.matches {
				if !hasLineMatch(c.found[r.hash], m) {
					c.found[r.hash] = append(c.found[r.hash], m)
				}
			}
		}
	}
}

func (c *lineCache) grow() {
	old := c.slots
	c.slots = make([]uint64, 2*len(old))
	for _, s := range old {
		if s != 0 {
			c.slots[c.slot(s&^slotFound)] = s
		}
	}
}

func hasLineMatch(list []lineMatch, m lineMatch) bool {
	for _, x := range list {
		if x.col == m.col && x.lines == m.lines && x.span == m.span && x.m.Key == m.m.Key {
			return true
		}
	}
	return false
}
