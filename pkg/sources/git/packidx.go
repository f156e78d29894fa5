package git

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/go-git/go-git/v5/plumbing"
)

// packIndex is a pack's .idx file (version 2): the sorted object ids and
// their offsets in the pack. The position of an id in the sorted table is
// the object's number within the pack.
type packIndex struct {
	fanout [256]uint32
	names  []byte // 20 bytes per object, sorted
	n      int
	// off32 and large are the index's offset tables, decoded by offset
	// for the few objects a staged scan reads; a walk of the whole store
	// decodes them all once into offsets (decodeOffsets).
	off32, large []byte
	offsets      []int64 // by position, once decoded
	path         string
	// mapped is the file mapped into memory, which names, off32 and large
	// point into; nil when it was read instead.
	mapped *packData
}

var idxMagic = []byte{0xff, 't', 'O', 'c'}

// mapOrRead maps a file into memory, or reads it where it cannot be
// mapped; mapped is nil when it was read.
func mapOrRead(path string) (data []byte, mapped *packData, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close() // a mapping outlives its descriptor
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if m, _ := mapPack(f, st.Size()); m != nil {
		return m.b, m, nil
	}
	data, err = io.ReadAll(f)
	return data, nil, err
}

// close unmaps the index; it must not be used afterwards.
func (ix *packIndex) close() {
	if ix.mapped != nil {
		ix.mapped.close()
		ix.mapped = nil
	}
}

// The file is mapped rather than read where the platform allows: a
// staged scan looks up a few hundred objects in an index of tens of
// megabytes, and reading it all into fresh memory (a page fault per 4 KiB)
// was a large part of the hook's time.
func readPackIndex(path string) (ix *packIndex, err error) {
	data, mapped, err := mapOrRead(path)
	if err != nil {
		return nil, fmt.Errorf("read pack index: %w", err)
	}
	defer func() {
		if err != nil && mapped != nil {
			mapped.close()
		}
	}()
	if len(data) < 8+256*4 || !bytes.Equal(data[:4], idxMagic) {
		return nil, fmt.Errorf("pack index %s: not a version 2 index", path)
	}
	if v := binary.BigEndian.Uint32(data[4:8]); v != 2 {
		return nil, fmt.Errorf("pack index %s: unsupported version %d", path, v)
	}
	ix = &packIndex{mapped: mapped}
	p := data[8:]
	for i := range ix.fanout {
		ix.fanout[i] = binary.BigEndian.Uint32(p[i*4:])
	}
	p = p[256*4:]
	n := int(ix.fanout[255])
	need := n*20 + n*4 + n*4
	if len(p) < need+40 {
		return nil, fmt.Errorf("pack index %s: truncated (%d objects)", path, n)
	}
	ix.names = p[: n*20 : n*20]
	ix.n = n
	ix.off32 = p[n*24 : n*28]
	ix.large = p[n*28 : len(p)-40]
	ix.path = path
	return ix, nil
}

// offset returns where object number i starts in the pack, or -1 when
// the index's large-offset table does not hold it.
func (ix *packIndex) offset(i int) int64 {
	if ix.offsets != nil {
		return ix.offsets[i]
	}
	o := binary.BigEndian.Uint32(ix.off32[i*4:])
	if o&0x80000000 == 0 {
		return int64(o)
	}
	k := int(o & 0x7fffffff)
	if (k+1)*8 > len(ix.large) {
		return -1
	}
	return int64(binary.BigEndian.Uint64(ix.large[k*8:]))
}

// decodeOffsets decodes every object's offset, for a walk of the whole
// pack.
func (ix *packIndex) decodeOffsets() error {
	offsets := make([]int64, ix.n)
	for i := range offsets {
		if offsets[i] = ix.offset(i); offsets[i] < 0 {
			return fmt.Errorf("pack index %s: bad large offset for object %d", ix.path, i)
		}
	}
	ix.offsets = offsets
	return nil
}

func (ix *packIndex) count() int { return ix.n }

func (ix *packIndex) hash(i int) plumbing.Hash {
	var h plumbing.Hash
	copy(h[:], ix.names[i*20:i*20+20])
	return h
}

// find returns the position of an object id, or -1.
func (ix *packIndex) find(h plumbing.Hash) int {
	lo := 0
	if h[0] > 0 {
		lo = int(ix.fanout[h[0]-1])
	}
	hi := int(ix.fanout[h[0]])
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(ix.names[mid*20:mid*20+20], h[:]); {
		case c == 0:
			return mid
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return -1
}
