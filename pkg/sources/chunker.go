package sources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"unicode/utf16"
)

// Limits bound what ReadChunks reads from one input.
type Limits struct {
	// MaxSize skips inputs larger than this many bytes; 0 means no limit.
	MaxSize int64
	// ChunkSize is the size of the pieces a large input is cut into.
	ChunkSize int
	// Overlap is how many bytes of one piece are repeated at the start of
	// the next, so that a secret on a boundary is seen whole.
	Overlap int
	// Reuse says emit is done with a chunk's Data when it returns, so the
	// buffers it was read into can serve the next input. A checkout has
	// thousands of small files; a fresh buffer for each was most of what
	// a directory scan allocated, and clearing and collecting it cost
	// about a tenth of the scan. Leave it off when emit hands chunks to
	// other goroutines.
	Reuse bool
}

// Default sizes: a 1 MiB chunk keeps memory per worker bounded whatever the
// input; a 4 KiB overlap covers a PEM private key split across pieces.
const (
	DefaultChunkSize = 1 << 20
	DefaultOverlap   = 4 << 10
	DefaultMaxSize   = 50 << 20
	sniffLen         = 8 << 10
)

func (l Limits) withDefaults() Limits {
	if l.ChunkSize <= 0 {
		l.ChunkSize = DefaultChunkSize
	}
	if l.Overlap <= 0 || l.Overlap >= l.ChunkSize/2 {
		l.Overlap = min(DefaultOverlap, l.ChunkSize/4)
	}
	return l
}

// ReadChunks is the one function every walker uses to turn a reader into
// chunks, so that size caps, binary detection and text decoding behave the
// same for files, blobs and layer entries. size is the input's length when
// known, or -1. It returns the first error from emit; read errors are
// recorded as warnings against the origin's path.
func ReadChunks(r io.Reader, origin *Origin, size int64, lim Limits, st *Stats, emit func(Chunk) error) error {
	lim = lim.withDefaults()
	if lim.MaxSize > 0 && size > lim.MaxSize {
		st.Skip(SkipTooLarge)
		st.Warn(origin.Path, fmt.Sprintf("skipped: %d bytes is larger than --max-file-size (%d)", size, lim.MaxSize))
		return nil
	}
	buf := lim.buffer(min(lim.ChunkSize+lim.Overlap, max(int(size)+1, sniffLen)))
	defer lim.release(&buf)
	var (
		line     = 1
		offset   int64
		total    int64
		first    = true
		readErr  error
		finished bool
	)
	for !finished {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		total += int64(n)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			finished = true
		} else if err != nil {
			readErr = err
			finished = true
		}
		if lim.MaxSize > 0 && total > lim.MaxSize {
			st.Skip(SkipTooLarge)
			st.Warn(origin.Path, fmt.Sprintf("skipped: larger than --max-file-size (%d bytes)", lim.MaxSize))
			return nil
		}
		if first {
			first = false
			text, handled, err := startOf(buf, finished, r, origin, lim, st, emit)
			if handled {
				return err
			}
			buf = text
			if cap(buf) < lim.ChunkSize+lim.Overlap && !finished {
				grown := lim.buffer(lim.ChunkSize + lim.Overlap)[:len(buf)]
				copy(grown, buf)
				lim.release(&buf)
				buf = grown
				continue
			}
		}
		if finished {
			if len(buf) > 0 {
				if err := emit(Chunk{Data: buf, Origin: origin, StartLine: line, StartOffset: offset}); err != nil {
					return err
				}
			}
			break
		}
		// Cut after the last newline that leaves at least Overlap bytes to
		// carry, so most pieces end on a line; a single huge line is cut
		// anywhere.
		cut := len(buf) - lim.Overlap
		if nl := bytes.LastIndexByte(buf[:len(buf)-lim.Overlap], '\n'); nl > len(buf)/2 {
			cut = nl + 1
		}
		keepFrom := max(cut-lim.Overlap, 0)
		if nl := bytes.IndexByte(buf[keepFrom:cut], '\n'); nl >= 0 {
			keepFrom += nl + 1 // restart the overlap on a line boundary
		}
		chunk := buf[:cut:cut]
		if !lim.Reuse {
			chunk = make([]byte, cut)
			copy(chunk, buf[:cut])
		}
		if err := emit(Chunk{Data: chunk, Origin: origin, StartLine: line, StartOffset: offset}); err != nil {
			return err
		}
		line += bytes.Count(buf[:keepFrom], []byte{'\n'})
		offset += int64(keepFrom)
		buf = buf[:copy(buf, buf[keepFrom:])]
	}
	if readErr != nil {
		st.Warn(origin.Path, fmt.Sprintf("read error after %d bytes: %v", total, readErr))
		if !errors.Is(readErr, io.ErrUnexpectedEOF) {
			st.Skip(SkipError)
		}
	}
	st.Scanned(total)
	return nil
}

// startOf deals with what the start of an input decides: UTF-16 text is
// decoded (text is the decoded form), a keystore is read as one and
// binary content is skipped (handled, with emit's error if any); other
// content is text as it is. rest is what follows buf.
func startOf(buf []byte, finished bool, rest io.Reader, origin *Origin, lim Limits, st *Stats, emit func(Chunk) error) (text []byte, handled bool, err error) {
	if text, ok := decodeUTF16(buf, finished); ok {
		return text, false, nil
	}
	if kind := KeystoreKind(buf); kind != "" {
		return nil, true, readKeystore(buf, rest, origin, kind, lim, st, emit)
	}
	if IsBinary(buf) {
		st.Skip(SkipBinary)
		return nil, true, nil
	}
	return buf, false, nil
}

// Reused buffers come in two sizes: most files fit the small one, and a
// larger input is read in chunks that fit the large one.
const smallBuffer = 64 << 10

var (
	smallBuffers = sync.Pool{New: func() any { return new([]byte) }}
	chunkBuffers = sync.Pool{New: func() any { return new([]byte) }}
)

// buffer returns an empty buffer with room for at least n bytes: a pooled
// one when Reuse is on and n fits a pooled size, a new one otherwise.
func (l Limits) buffer(n int) []byte {
	pool, size := l.pool(n)
	if pool == nil {
		return make([]byte, 0, n)
	}
	if b := *pool.Get().(*[]byte); cap(b) == size {
		return b[:0]
	}
	return make([]byte, 0, size)
}

// release hands a buffer from buffer back to its pool, if it came from one.
func (l Limits) release(b *[]byte) {
	if pool, size := l.pool(cap(*b)); pool != nil && cap(*b) == size {
		empty := (*b)[:0]
		pool.Put(&empty)
	}
	*b = nil
}

// pool returns the pool for buffers of n bytes and the size it holds.
func (l Limits) pool(n int) (*sync.Pool, int) {
	switch {
	case !l.Reuse:
		return nil, 0
	case n <= smallBuffer:
		return &smallBuffers, smallBuffer
	case n <= l.ChunkSize+l.Overlap:
		return &chunkBuffers, l.ChunkSize + l.Overlap
	}
	return nil, 0
}

// IsBinary reports whether the start of an input looks like binary data:
// a NUL byte, or mostly control bytes. The decision is made on content,
// never on the file name, so text with an unusual extension is scanned.
func IsBinary(head []byte) bool {
	head = head[:min(len(head), sniffLen)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	// A table lookup per byte rather than four comparisons: git history
	// asks this of hundreds of thousands of blob versions.
	control := 0
	for _, b := range head {
		control += int(controlByte[b])
	}
	return len(head) > 0 && control*10 > len(head)
}

// controlByte is 1 for the control bytes that do not occur in text (tabs,
// line and page breaks do).
var controlByte = func() (t [256]uint8) {
	for b := range t {
		if b < 0x09 || (b > 0x0d && b < 0x20) || b == 0x7f {
			t[b] = 1
		}
	}
	return
}()

// decodeUTF16 turns UTF-16 text with a byte order mark into UTF-8, so that
// files saved by Windows editors are scanned rather than taken for binary.
// Only complete inputs are converted; a large UTF-16 file is scanned as-is.
func decodeUTF16(b []byte, complete bool) ([]byte, bool) {
	if !complete || len(b) < 2 || len(b)%2 != 0 {
		return nil, false
	}
	var big bool
	switch {
	case b[0] == 0xFF && b[1] == 0xFE:
	case b[0] == 0xFE && b[1] == 0xFF:
		big = true
	default:
		return nil, false
	}
	u := make([]uint16, 0, len(b)/2-1)
	for i := 2; i+1 < len(b); i += 2 {
		if big {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	return []byte(string(utf16.Decode(u))), true
}
