package image

import (
	"bytes"
	"crypto/sha256"
	"io"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// maxDedupBuffer is the largest file read into memory to be hashed before
// it is scanned, when a file of the same size was scanned before: at most
// one at a time (the layer's reader does it), and --max-file-size (50 MB
// by default) keeps real ones below it.
const maxDedupBuffer = 64 << 20

// largeEntry scans a file larger than smallFile, once per content. Its
// SHA-256 is worked out as it is streamed to the detector and remembered
// with its size. A later file can only be a copy if it has a size seen
// before: such a file is read into memory and hashed first, and scanned
// only if its content is new. A file of a new size is streamed at once,
// so large files that are not copies cost one hash, not a buffer.
func (l *layerScan) largeEntry(r io.Reader, origin *sources.Origin, size int64) error {
	st, lim := l.w.opts.Stats, l.w.opts.Limits
	if lim.MaxSize > 0 && size > lim.MaxSize {
		return l.read(r, origin, size) // skipped there, with the usual warning
	}
	head := make([]byte, sniffLen)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	// Binaries are most of an image: decide on the first bytes, as for
	// small files, and leave the rest to tar.
	if !sources.IsContainer(head) && sources.IsBinary(head) && !utf16BOM(head) {
		st.Skip(sources.SkipBinary)
		return nil
	}
	full := io.MultiReader(bytes.NewReader(head), r)
	if l.w.seen.hasSize(size) && size <= maxDedupBuffer {
		buf := make([]byte, size)
		n, _ := io.ReadFull(full, buf) // a short read is a truncated layer, reported by walkTar
		buf = buf[:n]
		if !l.w.seen.first(sha256.Sum256(buf), origin) {
			st.Skip(SkipDuplicate)
			return nil
		}
		l.w.seen.addSize(size)
		return l.read(bytes.NewReader(buf), origin, size)
	}
	h := sha256.New()
	counted := &sources.CountingReader{R: io.TeeReader(full, h)}
	if err := l.read(counted, origin, size); err != nil {
		return err
	}
	// The scan may stop early (a binary member, an archive limit); tar
	// would read past the rest anyway, so hashing it costs no extra I/O.
	io.Copy(io.Discard, counted)
	if counted.N == size {
		var sum [32]byte
		h.Sum(sum[:0])
		l.w.seen.first(sum, origin)
		l.w.seen.addSize(size)
	}
	return nil
}

// read hands one file to the shared reader with the layer's counters.
func (l *layerScan) read(r io.Reader, origin *sources.Origin, size int64) error {
	es := l.w.entryStats(l.place)
	err := sources.ReadContent(r, origin, size, l.w.opts.Limits, es, l.pool.emit)
	l.w.fold(es)
	return err
}
