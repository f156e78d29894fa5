package sources

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// Zip record signatures.
const (
	zipLocalSig      = 0x04034b50
	zipCentralSig    = 0x02014b50
	zipEndSig        = 0x06054b50
	zip64EndSig      = 0x06064b50
	zipDescriptorSig = 0x08074b50
	zip64ExtraID     = 0x0001
	zipMax32         = 0xFFFFFFFF
)

// readZip reads a zip (jar, war, …) front to back from its local headers,
// the way Java's ZipInputStream does, instead of seeking to the central
// directory at the end: a zip inside an image layer or inside another
// archive is a stream, and buffering or spooling it to disk is what this
// scanner must not do. Members the stream alone cannot delimit (stored,
// with no size in the header) end the walk with a warning.
func (x *expander) readZip(r io.Reader, origin *Origin, depth int) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var inflater io.ReadCloser // reused across members: each costs ~40 KB
	defer func() {
		if inflater != nil {
			inflater.Close()
		}
	}()
	for read := 0; ; read++ {
		if x.stopped {
			return errArchiveStop
		}
		var sig [4]byte
		if _, err := io.ReadFull(br, sig[:]); err != nil {
			x.st.Warn(origin.Path, fmt.Sprintf("truncated zip after %d member(s): %v", read, err))
			return nil
		}
		switch binary.LittleEndian.Uint32(sig[:]) {
		case zipLocalSig:
		case zipCentralSig, zipEndSig, zip64EndSig:
			return nil // the central directory repeats what was read
		default:
			x.st.Warn(origin.Path, fmt.Sprintf("corrupt zip: no member header after %d member(s); rest of archive skipped", read))
			return nil
		}
		h, err := readZipHeader(br)
		if err != nil {
			x.st.Warn(origin.Path, fmt.Sprintf("truncated zip header after %d member(s): %v", read, err))
			return nil
		}
		encrypted := h.flags&1 != 0
		if h.descriptor && encrypted {
			x.st.Warn(origin.Path+"!/"+h.name, "encrypted zip member with no size in its header: it cannot be read as a stream; rest of archive skipped")
			x.st.Skip(SkipEncrypted)
			return nil
		}
		var (
			limited *io.LimitedReader
			in      = &CountingReader{}
			body    io.Reader
		)
		// Some writers set the descriptor flag and still fill in the sizes;
		// for a stored member those are the only way to find its end
		// when the descriptor has no signature.
		sized := !h.descriptor || (h.method == zipStore && h.csize > 0)
		if sized {
			limited = &io.LimitedReader{R: br, N: int64(h.csize)}
			in.R = limited
		}
		switch {
		case h.method == zipDeflate && h.descriptor:
			// flate reads a ByteReader exactly to the end of its stream,
			// which is where the data descriptor starts.
			inflater = resetInflater(inflater, byteCounter{br: br, c: in})
			body = x.meter(inflater, in, origin.Path+"!/"+h.name)
		case h.method == zipDeflate:
			inflater = resetInflater(inflater, in)
			body = x.meter(inflater, in, origin.Path+"!/"+h.name)
		case h.method == zipStore && !sized:
			body = &storedScanner{br: br}
		case h.method == zipStore:
			body = limited
		}
		if body == nil && h.descriptor {
			x.st.Warn(origin.Path+"!/"+h.name, fmt.Sprintf("zip member compressed with method %d has no size in its header: it cannot be skipped in a stream; rest of archive skipped", h.method))
			x.st.Skip(SkipError)
			return nil
		}
		switch {
		case strings.HasSuffix(h.name, "/"): // a folder
		case encrypted:
			x.st.Skip(SkipEncrypted)
		case body == nil:
			x.st.Warn(origin.Path+"!/"+h.name, fmt.Sprintf("zip compression method %d is not supported: member skipped", h.method))
			x.st.Skip(SkipError)
		case !h.descriptor && h.method == zipDeflate && x.declaresBomb(h):
			x.bomb(origin.Path+"!/"+h.name, fmt.Sprintf("archive bomb: %d compressed bytes declare %d expanded; rest of archive skipped", h.csize, h.usize))
			return errArchiveStop
		default:
			member, ok := x.member(origin, h.name)
			if !ok {
				return errArchiveStop
			}
			size := int64(-1)
			if sized {
				size = int64(h.usize)
			}
			if err := x.read(body, member, size, depth); err != nil {
				return err
			}
		}
		// Move to the next header: skip the rest of a sized member without
		// inflating it; a member delimited only by its deflate stream has
		// to be inflated to its end.
		if limited != nil {
			if _, err := io.Copy(io.Discard, limited); err != nil || limited.N > 0 {
				x.st.Warn(origin.Path+"!/"+h.name, "truncated zip member; rest of archive skipped")
				return nil
			}
		} else {
			if _, err := io.Copy(io.Discard, body); err != nil || x.stopped {
				if x.stopped {
					return errArchiveStop
				}
				x.st.Warn(origin.Path+"!/"+h.name, fmt.Sprintf("corrupt member data: %v; rest of archive skipped", err))
				return nil
			}
		}
		if !h.descriptor {
			continue
		}
		if err := skipZipDescriptor(br); err != nil {
			x.st.Warn(origin.Path+"!/"+h.name, fmt.Sprintf("truncated zip data descriptor: %v", err))
			return nil
		}
	}
}

// declaresBomb catches a bomb from its header alone, before inflating
// anything: a member whose content is binary would otherwise be skipped
// after its first bytes and the bomb would pass unreported.
func (x *expander) declaresBomb(h zipHeader) bool {
	if h.usize > uint64(x.al.MaxExpanded-x.expanded) {
		return true
	}
	return h.usize > ratioFloor && h.usize/max(h.csize, 1) > uint64(x.al.MaxRatio)
}

// Zip compression methods sprawl reads.
const (
	zipStore   = 0
	zipDeflate = 8
)

type zipHeader struct {
	name         string
	flags        uint16
	method       uint16
	csize, usize uint64
	descriptor   bool // sizes follow the data instead of the header
}

func readZipHeader(br *bufio.Reader) (zipHeader, error) {
	var b [26]byte
	if _, err := io.ReadFull(br, b[:]); err != nil {
		return zipHeader{}, err
	}
	le := binary.LittleEndian
	h := zipHeader{
		flags:  le.Uint16(b[2:]),
		method: le.Uint16(b[4:]),
		csize:  uint64(le.Uint32(b[14:])),
		usize:  uint64(le.Uint32(b[18:])),
	}
	h.descriptor = h.flags&8 != 0
	nameLen, extraLen := int(le.Uint16(b[22:])), int(le.Uint16(b[24:]))
	buf := make([]byte, nameLen+extraLen)
	if _, err := io.ReadFull(br, buf); err != nil {
		return zipHeader{}, err
	}
	h.name = string(buf[:nameLen])
	for extra := buf[nameLen:]; len(extra) >= 4; {
		id, size := le.Uint16(extra), int(le.Uint16(extra[2:]))
		extra = extra[4:]
		if size > len(extra) {
			break
		}
		if id == zip64ExtraID {
			// A local header's zip64 field holds both sizes, uncompressed first.
			if size >= 16 {
				h.usize, h.csize = le.Uint64(extra), le.Uint64(extra[8:])
			}
		}
		extra = extra[size:]
	}
	return h, nil
}

// skipZipDescriptor passes the data descriptor after a streamed member:
// an optional signature, the CRC, then two sizes of 4 bytes, or of 8 when
// the member was larger than 4 GiB (the header may not say so, so the
// 64-bit form is assumed only when the 32-bit one is not followed by a
// zip record).
func skipZipDescriptor(br *bufio.Reader) error {
	if sig, err := br.Peek(4); err == nil && binary.LittleEndian.Uint32(sig) == zipDescriptorSig {
		br.Discard(4)
	}
	if _, err := br.Discard(12); err != nil {
		return err
	}
	if next, err := br.Peek(4); err == nil && !isZipRecord(next) {
		if long, err := br.Peek(12); err == nil && isZipRecord(long[8:]) {
			br.Discard(8)
		}
	}
	return nil
}

func isZipRecord(b []byte) bool {
	switch binary.LittleEndian.Uint32(b) {
	case zipLocalSig, zipCentralSig, zipEndSig, zip64EndSig:
		return true
	}
	return false
}

// storedScanner delimits a stored member whose size comes only after it
// (Go's archive/zip writes these): it passes bytes through until a data
// descriptor whose sizes equal the bytes passed so far, and leaves the
// descriptor unread. A false match would need the member to contain a
// descriptor signature followed by its own offset twice.
type storedScanner struct {
	br   *bufio.Reader
	n    int64
	done bool
}

const storedDescLen = 16 // signature, CRC, two 32-bit sizes

var descriptorMagic = []byte("PK\x07\x08")

func (s *storedScanner) Read(p []byte) (int, error) {
	if s.done {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	window, err := s.br.Peek(min(s.br.Size(), len(p)+storedDescLen))
	if len(window) < storedDescLen {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	le := binary.LittleEndian
	for i := 0; i+storedDescLen <= len(window) && i <= len(p); i++ {
		j := bytes.Index(window[i:len(window)-storedDescLen+4], descriptorMagic)
		if j < 0 {
			break
		}
		i += j
		size := int64(le.Uint32(window[i+8:]))
		if size == s.n+int64(i) && le.Uint32(window[i+12:]) == uint32(size) {
			s.done = true
			n, _ := s.br.Read(p[:i])
			s.n += int64(n)
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
	}
	// Keep back the bytes that could start a descriptor.
	n, _ := s.br.Read(p[:min(len(p), len(window)-storedDescLen+1)])
	s.n += int64(n)
	return n, nil
}

func resetInflater(f io.ReadCloser, r io.Reader) io.ReadCloser {
	if f == nil {
		return flate.NewReader(r)
	}
	f.(flate.Resetter).Reset(r, nil)
	return f
}

// byteCounter lets flate read a bufio.Reader byte by byte (so it stops
// exactly at the end of its stream) while counting compressed bytes for
// the ratio check.
type byteCounter struct {
	br *bufio.Reader
	c  *CountingReader
}

func (b byteCounter) Read(p []byte) (int, error) {
	n, err := b.br.Read(p)
	b.c.N += int64(n)
	return n, err
}

func (b byteCounter) ReadByte() (byte, error) {
	c, err := b.br.ReadByte()
	if err == nil {
		b.c.N++
	}
	return c, err
}
