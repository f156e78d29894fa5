package git

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/klauspost/compress/zlib"
	"io"
	"os"
	"runtime"
	"sort"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// Object types as a pack stores them.
const (
	objCommit   = 1
	objTree     = 2
	objBlob     = 3
	objTag      = 4
	objOfsDelta = 6
	objRefDelta = 7
)

// Delta bases that are not an object of the same pack.
const (
	noBase       = -1
	externalBase = -2 // REF_DELTA whose base lives elsewhere (thin pack)
	brokenBase   = -3 // header unreadable: the entry and its deltas are skipped
)

// packEntry is what the walk needs to know about one object of a pack
// before inflating it.
type packEntry struct {
	dataOff int64 // first byte of the zlib stream
	end     int64 // one past the entry's last byte
	size    int64 // inflated size: the object, or the delta stream
	base    int32 // position of the delta base in the pack, or a *Base constant
	kind    uint8 // objCommit..objRefDelta
}

// pack is one packfile opened for reading, with its delta forest: which
// entries are deltas on which base. Every object is inflated once, by
// walking each tree of deltas from its root, which is what makes a full
// history cheap compared with resolving each object on its own.
type pack struct {
	path string
	f    *os.File
	data *packData // the mapped file, or nil: read with ReadAt
	idx  *packIndex
	ent  []packEntry
	// byOffset lists entry positions in file order, as the header reading
	// sorted them; the walk starts its delta trees in that order.
	byOffset []uint32
	// Children of entry i are kids[kidStart[i]:kidStart[i+1]].
	kidStart []uint32
	kids     []uint32
	// extBase holds the base id of REF_DELTA entries whose base is not in
	// this pack, keyed by position.
	extBase map[uint32]plumbing.Hash
	extMu   sync.Mutex
	// id of position 0 in the scan-wide numbering of objects.
	firstID uint32
}

// openPack reads a pack's index and every entry header, one sequential
// read of the file.
func openPack(packPath, idxPath string) (*pack, error) {
	idx, err := readPackIndex(idxPath)
	if err != nil {
		return nil, err
	}
	if err := idx.decodeOffsets(); err != nil {
		idx.close()
		return nil, err
	}
	p, size, err := openPackFile(packPath, idx)
	if err != nil {
		return nil, err
	}
	p.extBase = map[uint32]plumbing.Hash{}
	if err := p.readHeaders(size); err != nil {
		p.close()
		return nil, err
	}
	p.buildForest()
	return p, nil
}

// openPackFile opens and maps the pack an index describes, and returns it
// with its size. On failure the index is closed too.
func openPackFile(packPath string, idx *packIndex) (*pack, int64, error) {
	f, err := os.Open(packPath)
	if err != nil {
		idx.close()
		return nil, 0, fmt.Errorf("open pack: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		idx.close()
		return nil, 0, fmt.Errorf("stat pack: %w", err)
	}
	p := &pack{path: packPath, f: f, idx: idx}
	p.data, _ = mapPack(f, st.Size()) // nil: read with ReadAt
	return p, st.Size(), nil
}

func (p *pack) close() {
	if p.data != nil {
		p.data.close()
	}
	p.idx.close()
	p.f.Close()
}

func (p *pack) readHeaders(fileSize int64) error {
	n := p.idx.count()
	order := make([]uint32, n)
	for i := range order {
		order[i] = uint32(i)
	}
	offs := p.idx.offsets
	sortByOffset(order, offs)
	p.byOffset = order
	end := fileSize - 20 // trailing checksum
	var head [12]byte
	if _, err := p.f.ReadAt(head[:], 0); err != nil || !bytes.Equal(head[:4], []byte("PACK")) {
		return fmt.Errorf("pack %s: not a packfile", p.path)
	}
	if got := binary.BigEndian.Uint32(head[8:]); int(got) != n {
		return fmt.Errorf("pack %s: holds %d objects but its index lists %d", p.path, got, n)
	}
	p.ent = make([]packEntry, n)
	if p.data != nil {
		p.parseMappedHeaders(order, end)
		return nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(p.f, 0, fileSize), 1<<20)
	pos := int64(0)
	for k, i := range order {
		off, entEnd, ok := p.entrySpan(k, order, end)
		if !ok {
			continue
		}
		if _, err := r.Discard(int(off - pos)); err != nil {
			return fmt.Errorf("pack %s: truncated at offset %d: %w", p.path, off, err)
		}
		pos = off
		hdr, err := r.Peek(min(32, int(entEnd-off)))
		if err != nil && len(hdr) == 0 {
			return fmt.Errorf("pack %s: read entry at %d: %w", p.path, off, err)
		}
		p.setHeader(i, off, hdr, order)
	}
	return nil
}

// sortByOffset orders entry positions by their offset in the pack, with a
// radix sort, 16 bits of the offset per pass: a comparison sort of a large
// repository's 850,000 entries took a fifth of a second, more than
// reading every header.
func sortByOffset(order []uint32, offs []int64) {
	var top int64
	for _, o := range offs {
		top = max(top, o)
	}
	src, dst := order, make([]uint32, len(order))
	var count [1 << 16]int
	for shift := uint(0); shift < 64 && top>>shift > 0; shift += 16 {
		clear(count[:])
		for _, i := range src {
			count[offs[i]>>shift&0xffff]++
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, i := range src {
			d := offs[i] >> shift & 0xffff
			dst[count[d]] = i
			count[d]++
		}
		src, dst = dst, src
	}
	if len(order) > 0 && &src[0] != &order[0] {
		copy(order, src) // an odd number of passes ends in the scratch slice
	}
}

// parseMappedHeaders decodes the headers straight from the mapped file,
// on every core: entries are independent once their offsets are sorted,
// and reading the whole pack through a buffer to reach them (a copy of
// every byte) was most of opening a large one.
func (p *pack) parseMappedHeaders(order []uint32, end int64) {
	workers := min(runtime.GOMAXPROCS(0), max(len(order)/4096, 1))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := len(order)*w/workers, len(order)*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := lo; k < hi; k++ {
				if off, entEnd, ok := p.entrySpan(k, order, end); ok {
					p.setHeader(order[k], off, p.data.b[off:min(off+32, entEnd)], order)
				}
			}
		}()
	}
	wg.Wait()
}

// entrySpan returns where the k-th entry in file order starts and ends,
// and marks it broken when its offset is out of place.
func (p *pack) entrySpan(k int, order []uint32, end int64) (off, entEnd int64, ok bool) {
	offs := p.idx.offsets
	i := order[k]
	e := &p.ent[i]
	off, e.end = offs[i], end
	if k+1 < len(order) {
		e.end = offs[order[k+1]]
	}
	if off < 12 || off >= end {
		e.base = brokenBase
		return 0, 0, false
	}
	return off, e.end, true
}

// setHeader decodes entry i's header from hdr, the bytes at its offset.
func (p *pack) setHeader(i uint32, off int64, hdr []byte, order []uint32) {
	e := &p.ent[i]
	used := p.parseHeader(i, off, hdr, order, p.idx.offsets)
	e.dataOff = off + int64(used)
	if used == 0 || e.dataOff > e.end {
		e.base = brokenBase
	}
}

// parseHeader decodes an entry header and returns its length (0 when it
// is unreadable).
func (p *pack) parseHeader(i uint32, off int64, b []byte, order []uint32, offs []int64) int {
	e := &p.ent[i]
	kind, size, rel, ref, used := entryHeader(b)
	if used == 0 {
		return 0
	}
	e.kind, e.size, e.base = kind, size, noBase
	switch kind {
	case objOfsDelta:
		target := off - rel
		j := sort.Search(len(order), func(x int) bool { return offs[order[x]] >= target })
		if j == len(order) || offs[order[j]] != target {
			return 0
		}
		e.base = int32(order[j])
	case objRefDelta:
		if j := p.idx.find(ref); j >= 0 {
			e.base = int32(j)
		} else {
			e.base = externalBase
			p.extMu.Lock() // headers are parsed on several goroutines
			p.extBase[i] = ref
			p.extMu.Unlock()
		}
	}
	return used
}

// entryHeader decodes a pack entry header: type, inflated size, and the
// delta base (a distance back for OFS_DELTA, an id for REF_DELTA). used is
// the header's length, 0 when it is malformed.
func entryHeader(b []byte) (kind uint8, size, rel int64, ref plumbing.Hash, used int) {
	if len(b) == 0 {
		return 0, 0, 0, ref, 0
	}
	c := b[0]
	kind = (c >> 4) & 7
	size = int64(c & 15)
	shift := uint(4)
	k := 1
	for c&0x80 != 0 {
		if k >= len(b) || shift > 56 {
			return 0, 0, 0, ref, 0
		}
		c = b[k]
		k++
		size |= int64(c&0x7f) << shift
		shift += 7
	}
	switch kind {
	case objCommit, objTree, objBlob, objTag:
	case objOfsDelta:
		if k >= len(b) {
			return 0, 0, 0, ref, 0
		}
		c = b[k]
		k++
		rel = int64(c & 0x7f)
		for c&0x80 != 0 {
			if k >= len(b) || rel > 1<<55 {
				return 0, 0, 0, ref, 0
			}
			c = b[k]
			k++
			rel = ((rel + 1) << 7) | int64(c&0x7f)
		}
		if rel <= 0 {
			return 0, 0, 0, ref, 0
		}
	case objRefDelta:
		if k+20 > len(b) {
			return 0, 0, 0, ref, 0
		}
		copy(ref[:], b[k:k+20])
		k += 20
	default:
		return 0, 0, 0, ref, 0
	}
	return kind, size, rel, ref, k
}

// buildForest lists each entry's deltas, so a walk can go from a base to
// everything built on it.
func (p *pack) buildForest() {
	n := len(p.ent)
	p.kidStart = make([]uint32, n+1)
	for _, e := range p.ent {
		if e.base >= 0 {
			p.kidStart[e.base+1]++
		}
	}
	for i := 1; i <= n; i++ {
		p.kidStart[i] += p.kidStart[i-1]
	}
	p.kids = make([]uint32, p.kidStart[n])
	fill := append([]uint32(nil), p.kidStart[:n]...)
	for i, e := range p.ent {
		if e.base >= 0 {
			p.kids[fill[e.base]] = uint32(i)
			fill[e.base]++
		}
	}
}

func (p *pack) children(i uint32) []uint32 { return p.kids[p.kidStart[i]:p.kidStart[i+1]] }

// isDelta reports whether an entry is stored as a delta.
func (e *packEntry) isDelta() bool { return e.kind == objOfsDelta || e.kind == objRefDelta }

var errSizeMismatch = errors.New("inflated size does not match the header")

// inflater reads entries of packs; one per worker, since it reuses its
// buffers and zlib state.
type inflater struct {
	raw []byte
	br  bytes.Reader
	zr  io.ReadCloser
}

// inflate returns entry i's inflated bytes in dst (grown as needed). The
// stream is read to its end so that zlib checks its checksum: a garbled
// entry is an error, not silently wrong content.
func (z *inflater) inflate(p *pack, i uint32, dst []byte) ([]byte, error) {
	e := &p.ent[i]
	n := int(e.end - e.dataOff)
	if n <= 0 {
		return nil, fmt.Errorf("empty entry")
	}
	var raw []byte
	if p.data != nil {
		raw = p.data.slice(e.dataOff, e.end)
	} else {
		if cap(z.raw) < n {
			z.raw = make([]byte, n+n/4)
		}
		raw = z.raw[:n]
		if _, err := p.f.ReadAt(raw, e.dataOff); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read: %w", err)
		}
	}
	z.br.Reset(raw)
	return z.inflateStream(&z.br, e.size, dst)
}

// inflateFrom inflates one zlib stream of a known inflated size.
func (z *inflater) inflateFrom(r io.Reader, size int64) ([]byte, error) {
	return z.inflateStream(r, size, nil)
}

func (z *inflater) inflateStream(r io.Reader, size int64, dst []byte) ([]byte, error) {
	if z.zr == nil {
		zr, err := zlib.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
		z.zr = zr
	} else if err := z.zr.(zlib.Resetter).Reset(r, nil); err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	return readAllSized(z.zr, size, dst)
}

func newByteReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// readAllSized reads exactly size bytes and then the end of the stream.
func readAllSized(r io.Reader, size int64, dst []byte) ([]byte, error) {
	if size > maxObjectSize {
		return nil, fmt.Errorf("object of %d bytes is too large to read", size)
	}
	if int64(cap(dst)) < size {
		dst = make([]byte, size)
	}
	dst = dst[:size]
	if _, err := io.ReadFull(r, dst); err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	var one [1]byte
	if n, err := r.Read(one[:]); n > 0 {
		return nil, errSizeMismatch
	} else if err != nil && err != io.EOF {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	return dst, nil
}

// maxObjectSize bounds what one object may claim to be, so that a garbled
// header cannot make the walk allocate without limit.
const maxObjectSize = 1 << 30
