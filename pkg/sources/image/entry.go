package image

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"sync"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// smallFile is the size up to which a file is read whole: hashed, so that
// a copy in another layer is not scanned again, and handed to a worker.
// Larger files are streamed by the layer's reader (see largeEntry).
const smallFile = 1 << 20

// sniffLen is how much of a file decides that it is binary.
const sniffLen = 8 << 10

// entry scans one regular file of a layer.
func (l *layerScan) entry(ctx context.Context, r io.Reader, name string, size int64) error {
	st := l.w.opts.Stats
	if l.w.opts.Exclude != nil && l.w.opts.Exclude(name) {
		st.Skip(sources.SkipExcluded)
		return nil
	}
	origin := &sources.Origin{Source: sources.KindImage, Path: name, Image: l.fileOrigin(name)}
	if size > smallFile {
		return l.largeEntry(r, origin, size)
	}
	pooled := smallBufs.Get().(*[]byte)
	buf := (*pooled)[:size]
	n, _ := io.ReadFull(r, buf[:min(size, sniffLen)])
	// Binaries are most of an image: decide on the first bytes and leave
	// the rest unread (tar skips it) rather than hash it.
	if head := buf[:n]; !sources.IsContainer(head) && sources.IsBinary(head) && !utf16BOM(head) {
		smallBufs.Put(pooled)
		st.Skip(sources.SkipBinary)
		return nil
	}
	if int64(n) == min(size, sniffLen) && size > sniffLen {
		m, _ := io.ReadFull(r, buf[n:])
		n += m
	}
	// A short read means a truncated layer; walkTar reports it, and what
	// was read is still scanned.
	buf = buf[:n]
	if !l.w.seen.first(sha256.Sum256(buf), origin) {
		smallBufs.Put(pooled)
		st.Skip(SkipDuplicate)
		return nil
	}
	err := l.pool.submit(func() error {
		defer smallBufs.Put(pooled) // ReadContent copies what it keeps
		es := l.w.entryStats(l.place)
		err := sources.ReadContent(bytes.NewReader(buf), origin, size, l.w.opts.Limits, es, l.pool.emit)
		l.w.fold(es)
		return err
	})
	if err != nil {
		smallBufs.Put(pooled)
	}
	return err
}

// smallBufs holds the buffers small files are read into; at most a few
// per worker are in use at once (the pool's queue is bounded).
var smallBufs = sync.Pool{New: func() any {
	b := make([]byte, smallFile)
	return &b
}}

func utf16BOM(b []byte) bool {
	return len(b) >= 2 && (b[0] == 0xff && b[1] == 0xfe || b[0] == 0xfe && b[1] == 0xff)
}
