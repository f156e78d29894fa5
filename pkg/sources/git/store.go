package git

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// store is every object of one objects folder, its packs and its loose
// objects, numbered 0..total-1 so that per-object tables can be slices.
type store struct {
	dir       string
	packs     []*pack
	loose     []plumbing.Hash // loose objects that no pack holds, sorted
	looseBase uint32          // number of the first loose object
	total     uint32
}

// openStore reads every pack index and lists loose objects. A pack that
// cannot be opened is a warning naming it; its objects are then missing.
func openStore(dir string, st *sources.Stats) (*store, error) {
	s := &store{dir: dir}
	idxs, err := filepath.Glob(filepath.Join(dir, "pack", "pack-*.idx"))
	if err != nil {
		return nil, fmt.Errorf("list packs: %w", err)
	}
	sort.Strings(idxs)
	for _, idx := range idxs {
		packPath := strings.TrimSuffix(idx, ".idx") + ".pack"
		p, err := openPack(packPath, idx)
		if err != nil {
			st.Warn(filepath.Base(packPath), fmt.Sprintf("pack skipped, its objects are missing: %v", err))
			continue
		}
		p.firstID = s.total
		s.total += uint32(len(p.ent))
		s.packs = append(s.packs, p)
	}
	if err := s.listLoose(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *store) listLoose() error {
	s.looseBase = s.total
	for b := 0; b < 256; b++ {
		sub := filepath.Join(s.dir, fmt.Sprintf("%02x", b))
		names, err := os.ReadDir(sub)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("list loose objects in %s: %w", sub, err)
		}
		for _, e := range names {
			var h plumbing.Hash
			name := fmt.Sprintf("%02x", b) + e.Name()
			if len(name) != 40 {
				continue
			}
			if _, err := hex.Decode(h[:], []byte(name)); err != nil {
				continue
			}
			if _, ok := s.packedID(h); ok {
				continue
			}
			s.loose = append(s.loose, h)
		}
	}
	sort.Slice(s.loose, func(i, j int) bool { return bytes.Compare(s.loose[i][:], s.loose[j][:]) < 0 })
	s.total += uint32(len(s.loose))
	return nil
}

func (s *store) close() {
	for _, p := range s.packs {
		p.close()
	}
}

func (s *store) packedID(h plumbing.Hash) (uint32, bool) {
	for _, p := range s.packs {
		if i := p.idx.find(h); i >= 0 {
			return p.firstID + uint32(i), true
		}
	}
	return 0, false
}

// id returns an object's number.
func (s *store) id(h plumbing.Hash) (uint32, bool) {
	if id, ok := s.packedID(h); ok {
		return id, true
	}
	i := sort.Search(len(s.loose), func(i int) bool { return bytes.Compare(s.loose[i][:], h[:]) >= 0 })
	if i < len(s.loose) && s.loose[i] == h {
		return s.looseBase + uint32(i), true
	}
	return 0, false
}

// readLoose inflates a loose object and returns its type and content.
func (s *store) readLoose(h plumbing.Hash, dst []byte) (uint8, []byte, error) {
	zr, kind, size, done, err := s.openLoose(h)
	if err != nil {
		return 0, nil, err
	}
	defer done()
	data, err := readAllSized(zr, size, dst)
	return kind, data, err
}

// openLoose opens a loose object and reads its header; the caller reads
// the content from zr and then calls done.
func (s *store) openLoose(h plumbing.Hash) (zr io.Reader, kind uint8, size int64, done func(), err error) {
	hx := h.String()
	f, err := os.Open(filepath.Join(s.dir, hx[:2], hx[2:]))
	if err != nil {
		return nil, 0, 0, nil, fmt.Errorf("open: %w", err)
	}
	z, err := zlib.NewReader(f)
	if err != nil {
		f.Close()
		return nil, 0, 0, nil, fmt.Errorf("inflate: %w", err)
	}
	done = func() { z.Close(); f.Close() }
	if kind, size, err = looseHeader(z); err != nil {
		done()
		return nil, 0, 0, nil, err
	}
	return z, kind, size, done, nil
}

// looseHeader reads the "blob 1234\0" that starts a loose object.
func looseHeader(zr io.Reader) (kind uint8, size int64, err error) {
	var head []byte
	var one [1]byte
	for len(head) < 32 {
		if _, err := io.ReadFull(zr, one[:]); err != nil {
			return 0, 0, fmt.Errorf("inflate header: %w", err)
		}
		if one[0] == 0 {
			break
		}
		head = append(head, one[0])
	}
	typ, sz, ok := strings.Cut(string(head), " ")
	size, err = strconv.ParseInt(sz, 10, 64)
	if !ok || err != nil || size < 0 {
		return 0, 0, fmt.Errorf("%w: bad header", errBadObject)
	}
	kind = map[string]uint8{"commit": objCommit, "tree": objTree, "blob": objBlob, "tag": objTag}[typ]
	if kind == 0 {
		return 0, 0, fmt.Errorf("%w: unknown type %q", errBadObject, typ)
	}
	return kind, size, nil
}

// looseSize reads a loose object's size from its header.
func (s *store) looseSize(h plumbing.Hash) (int64, bool) {
	_, _, size, done, err := s.openLoose(h)
	if err != nil {
		return 0, false
	}
	done()
	return size, true
}

// readObject returns any object by id, resolving deltas one by one. The
// walk never needs it for the bulk of a pack; it serves the rare base
// that lives outside the pack that uses it.
func (s *store) readObject(h plumbing.Hash, z *inflater, depth int) (uint8, []byte, error) {
	if depth > 10000 {
		return 0, nil, fmt.Errorf("delta chain too deep")
	}
	for _, p := range s.packs {
		i := p.idx.find(h)
		if i < 0 {
			continue
		}
		e := &p.ent[i]
		if e.base == brokenBase {
			return 0, nil, fmt.Errorf("unreadable pack entry")
		}
		data, err := z.inflate(p, uint32(i), nil)
		if err != nil || !e.isDelta() {
			return e.kind, data, err
		}
		baseID := p.extBase[uint32(i)]
		if e.base >= 0 {
			baseID = p.idx.hash(int(e.base))
		}
		kind, base, err := s.readObject(baseID, z, depth+1)
		if err != nil {
			return 0, nil, fmt.Errorf("delta base %s: %w", baseID, err)
		}
		out, err := applyDelta(base, data, nil, nil)
		return kind, out, err
	}
	return s.readLoose(h, nil)
}

// objectSize returns an object's inflated size without building it: a
// whole packed object's is in its entry, a delta's in the first bytes of
// its own data, a loose object's in its header. known is false for an
// unreadable object, or a delta whose own data is over limit (its target
// may be larger still).
func (s *store) objectSize(h plumbing.Hash, z *inflater, limit int64) (size int64, known bool) {
	for _, p := range s.packs {
		i := p.idx.find(h)
		if i < 0 {
			continue
		}
		e := &p.ent[i]
		switch {
		case e.base == brokenBase:
			return 0, false
		case !e.isDelta():
			return e.size, true
		case e.size > limit:
			return 0, false
		}
		delta, err := z.inflate(p, uint32(i), nil)
		if err != nil {
			return 0, false
		}
		_, rest, ok := deltaVarint(delta)
		if !ok {
			return 0, false
		}
		target, _, ok := deltaVarint(rest)
		return int64(target), ok
	}
	return s.looseSize(h)
}

// objectCount is how many objects the store holds, packed and loose.
func (s *store) objectCount() int64 {
	n := int64(len(s.loose))
	for _, p := range s.packs {
		n += int64(len(p.ent))
	}
	return n
}
