package git

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// A lazy store reads single objects without reading every entry header
// first: the pre-commit check needs a few trees and blobs of a large
// repository, and must not pay for indexing the whole pack (go-git builds
// an offset table of every object on first use, 0.1-0.2 s on curl).
// Objects are resolved from their offset, deltas through their bases,
// with a small cache of bases shared by neighbouring trees.
type lazyStore struct {
	dir   string
	packs []*pack
	size  map[*pack]int64
	cache map[lazyKey][]byte
	held  int
}

type lazyKey struct {
	p   *pack
	off int64
}

// lazyCacheBytes bounds the base cache.
const lazyCacheBytes = 32 << 20

func openLazyStore(dir string) (*lazyStore, error) {
	s := &lazyStore{dir: dir, size: map[*pack]int64{}, cache: map[lazyKey][]byte{}}
	idxs, err := filepath.Glob(filepath.Join(dir, "pack", "pack-*.idx"))
	if err != nil {
		return nil, fmt.Errorf("list packs: %w", err)
	}
	sort.Strings(idxs)
	for _, idx := range idxs {
		ix, err := readPackIndex(idx)
		if err != nil {
			continue // go-git may still read what this pack would have held
		}
		p, size, err := openPackFile(strings.TrimSuffix(idx, ".idx")+".pack", ix)
		if err != nil {
			continue
		}
		s.packs = append(s.packs, p)
		s.size[p] = size
	}
	return s, nil
}

func (s *lazyStore) close() {
	for _, p := range s.packs {
		p.close()
	}
}

// read returns an object's type and content.
func (s *lazyStore) read(h plumbing.Hash, z *inflater) (uint8, []byte, error) {
	for _, p := range s.packs {
		if i := p.idx.find(h); i >= 0 {
			off := p.idx.offset(i)
			if off < 0 {
				return 0, nil, fmt.Errorf("object %s: bad offset in %s", h, p.idx.path)
			}
			return s.at(p, off, z, 0)
		}
	}
	st := &store{dir: s.dir}
	return st.readLoose(h, nil)
}

// at reads the object at an offset of a pack.
func (s *lazyStore) at(p *pack, off int64, z *inflater, depth int) (uint8, []byte, error) {
	if b, ok := s.cache[lazyKey{p, off}]; ok {
		return b[0], b[1:], nil
	}
	if depth > 10000 {
		return 0, nil, fmt.Errorf("delta chain too deep")
	}
	var head [32]byte
	n, err := p.f.ReadAt(head[:], off)
	if n == 0 {
		return 0, nil, fmt.Errorf("read entry at %d: %w", off, err)
	}
	kind, size, rel, ref, used := entryHeader(head[:n])
	if used == 0 {
		return 0, nil, fmt.Errorf("%w: unreadable entry header at %d", errBadObject, off)
	}
	var r io.Reader
	if p.data != nil {
		r = newByteReader(p.data.b[off+int64(used):])
	} else {
		r = bufio.NewReader(io.NewSectionReader(p.f, off+int64(used), s.size[p]-off-int64(used)))
	}
	data, err := z.inflateFrom(r, size)
	if err != nil {
		return 0, nil, err
	}
	switch kind {
	case objOfsDelta, objRefDelta:
		var bk uint8
		var base []byte
		if kind == objOfsDelta {
			bk, base, err = s.at(p, off-rel, z, depth+1)
		} else {
			bk, base, err = s.read(ref, z)
		}
		if err != nil {
			return 0, nil, fmt.Errorf("delta base: %w", err)
		}
		data, err = applyDelta(base, data, nil, nil)
		if err != nil {
			return 0, nil, err
		}
		kind = bk
	}
	if depth > 0 && len(data) < 1<<20 && s.held+len(data) < lazyCacheBytes {
		s.cache[lazyKey{p, off}] = append([]byte{kind}, data...)
		s.held += len(data)
	}
	return kind, data, nil
}
