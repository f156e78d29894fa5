package sources

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// ArchiveLimits bound what is expanded from one archive, counting every
// archive nested inside it, so that a small file cannot make the scanner
// read without end (a zip bomb, a gzip quine, a jar of a million entries).
type ArchiveLimits struct {
	// MaxDepth is how many archive or compression levels are opened one
	// inside the other; deeper ones are skipped with a warning.
	MaxDepth int
	// MaxExpanded is how many bytes decompression may produce in total.
	MaxExpanded int64
	// MaxEntries is how many members may be read in total.
	MaxEntries int
	// MaxRatio is the largest expanded/compressed ratio a compressed
	// stream may show once it has produced more than ratioFloor bytes.
	// Real data stays far below 1000:1; deflate's ceiling is about 1032:1.
	MaxRatio int64
}

// DefaultArchiveLimits: six levels cover a fat jar inside a .tar.gz inside
// an image layer with room to spare; 1 GiB and 100,000 members are far
// beyond what real application archives hold.
var DefaultArchiveLimits = ArchiveLimits{MaxDepth: 6, MaxExpanded: 1 << 30, MaxEntries: 100_000, MaxRatio: 1000}

// ratioFloor keeps the ratio check off streams that are not big enough
// to hurt: a few megabytes of zeros or spaces legitimately compress a
// thousandfold (test data does), and the total budget bounds the rest.
const ratioFloor = 32 << 20

// Reasons archive members are skipped (see Stats.Skip).
const (
	SkipArchiveBomb  = "archive bomb"
	SkipArchiveDepth = "archive nested too deep"
	SkipEncrypted    = "encrypted archive member"
)

func (l ArchiveLimits) withDefaults() ArchiveLimits {
	d := DefaultArchiveLimits
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxExpanded <= 0 {
		l.MaxExpanded = d.MaxExpanded
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}

type archiveFormat int

const (
	notArchive archiveFormat = iota
	formatTar
	formatGzip
	formatZip
)

// archiveSniffLen covers tar's magic, which sits at offset 257.
const archiveSniffLen = 512

// sniffArchive recognises archives by content, never by name: a .jar, .war,
// .zip, .tgz or a layer tarball saved without an extension are all found.
func sniffArchive(head []byte) archiveFormat {
	switch {
	case len(head) >= 4 && string(head[:4]) == "PK\x03\x04":
		return formatZip
	case len(head) >= 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 8:
		return formatGzip
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return formatTar
	}
	return notArchive
}

// IsArchive reports whether the start of an input is an archive that
// ReadContent expands (tar, gzip, zip and its jar/war kin).
func IsArchive(head []byte) bool { return sniffArchive(head) != notArchive }

// ReadContent is what a walker calls for one file. An archive (recognised
// by its first bytes) is expanded member by member within
// DefaultArchiveLimits, archives inside it too, each member reported as
// "outer.tgz!/dir/inner.jar!/config/app.yml"; anything else goes to
// ReadChunks. Nothing is written to disk: members are streamed. Corrupt
// or hostile archives are warnings against the archive's path; only an
// error from emit is returned.
func ReadContent(r io.Reader, origin *Origin, size int64, lim Limits, st *Stats, emit func(Chunk) error) error {
	return ReadContentLimited(r, origin, size, lim, DefaultArchiveLimits, st, emit)
}

// ReadContentLimited is ReadContent with explicit archive limits.
func ReadContentLimited(r io.Reader, origin *Origin, size int64, lim Limits, al ArchiveLimits, st *Stats, emit func(Chunk) error) error {
	x := &expander{lim: lim, al: al.withDefaults(), st: st, emit: emit}
	if err := x.read(r, origin, size, 0); err != nil && !errors.Is(err, errArchiveStop) {
		return err
	}
	return nil
}

// errArchiveStop unwinds the expansion of one outermost archive once a
// limit is hit; it never leaves ReadContent.
var errArchiveStop = errors.New("archive expansion stopped")

// expander is the state of one outermost archive: the budget every nested
// level draws from.
type expander struct {
	lim      Limits
	al       ArchiveLimits
	st       *Stats
	emit     func(Chunk) error
	expanded int64
	entries  int
	stopped  bool
	probes   [][]byte
}

func (x *expander) read(r io.Reader, origin *Origin, size int64, depth int) error {
	if x.lim.MaxSize > 0 && size > x.lim.MaxSize {
		return ReadChunks(r, origin, size, x.lim, x.st, x.emit) // skips it with the usual warning
	}
	if w, ok := r.(*Whole); ok && x.inPlace(w, size) {
		return x.readInPlace(w.Data, origin)
	}
	head := make([]byte, archiveSniffLen)
	if size < 0 {
		// A member of unknown size (gzip content, a zip member sized only
		// by its data descriptor): read a little more, so that a small one
		// is handed on whole and with its size, and ReadChunks need not
		// allocate a full-size chunk buffer for it.
		head = x.probeBuffer(depth)
	}
	n, err := io.ReadFull(r, head)
	head = head[:n]
	var rest io.Reader = r
	if err != nil {
		rest = eofReader{}
		if err != io.EOF && err != io.ErrUnexpectedEOF {
			rest = errReader{err}
		} else if size < 0 {
			size = int64(n)
		}
	}
	full := io.MultiReader(bytes.NewReader(head), rest)
	format := sniffArchive(head)
	if format == notArchive {
		if ra, ok := r.(io.ReaderAt); ok && depth == 0 {
			if first, ok := zipBehindStub(ra, head, size); ok {
				return x.readStubbedZip(ra, head, first, size, origin)
			}
		}
		return ReadChunks(full, origin, size, x.lim, x.st, x.emit)
	}
	if depth >= x.al.MaxDepth {
		x.st.Skip(SkipArchiveDepth)
		x.st.Warn(origin.Path, fmt.Sprintf("archive nested more than %d levels deep: not expanded", x.al.MaxDepth))
		return nil
	}
	switch format {
	case formatTar:
		return x.readTar(full, origin, depth+1)
	case formatZip:
		return x.readZip(full, origin, depth+1)
	default:
		return x.readGzip(full, origin, depth+1)
	}
}

// probeLen is how much of a member of unknown size is read ahead: most
// source and config files fit.
const probeLen = 64 << 10

// probeBuffer returns the read-ahead buffer of one nesting level; levels
// nest, so each has its own, reused for every member at that level.
func (x *expander) probeBuffer(depth int) []byte {
	for len(x.probes) <= depth {
		x.probes = append(x.probes, nil)
	}
	if x.probes[depth] == nil {
		x.probes[depth] = make([]byte, probeLen)
	}
	return x.probes[depth]
}

// readGzip treats gzip as a view of the same file: a .tar.gz's members are
// named file.tar.gz!/member, and a .log.gz's text keeps the file's path.
func (x *expander) readGzip(r io.Reader, origin *Origin, depth int) error {
	in := &CountingReader{R: r}
	zr, err := gzip.NewReader(in)
	if err != nil {
		x.st.Warn(origin.Path, fmt.Sprintf("corrupt gzip stream: %v", err))
		x.st.Skip(SkipError)
		return nil
	}
	defer zr.Close()
	return x.read(x.meter(zr, in, origin.Path), origin, -1, depth)
}

func (x *expander) readTar(r io.Reader, origin *Origin, depth int) error {
	tr := tar.NewReader(r)
	for read := 0; ; {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if x.stopped {
			return errArchiveStop
		}
		if err != nil {
			x.st.Warn(origin.Path, fmt.Sprintf("corrupt or truncated tar after %d member(s): %v; rest of archive skipped", read, err))
			return nil
		}
		if hdr.Typeflag != tar.TypeReg {
			continue // folders, links and devices hold no content of their own
		}
		read++
		member, ok := x.member(origin, hdr.Name)
		if !ok {
			return errArchiveStop
		}
		if err := x.read(tr, member, hdr.Size, depth); err != nil {
			return err
		}
	}
}

// member counts one more member against the budget and names it. It
// returns false once the budget is spent.
func (x *expander) member(archive *Origin, name string) (*Origin, bool) {
	if x.stopped {
		return nil, false
	}
	x.entries++
	if x.entries > x.al.MaxEntries {
		x.bomb(archive.Path, fmt.Sprintf("archive bomb: more than %d members; rest of archive skipped", x.al.MaxEntries))
		return nil, false
	}
	clean, escapes := CleanMemberName(name)
	o := *archive
	o.Path = archive.Path + "!/" + clean
	if escapes {
		x.st.Warn(o.Path, fmt.Sprintf("member name %q leaves the archive (path traversal); scanned as %q", name, clean))
	}
	return &o, true
}

// CleanMemberName turns a member name from an archive or image layer into
// a relative slash path, and reports whether the name tried to leave its
// root ("../", an absolute path, a drive letter). Nothing is ever
// extracted, so such a name is harmless here, but it is worth a warning:
// a tool that does extract would write outside its target.
func CleanMemberName(name string) (clean string, escapes bool) {
	n := strings.ReplaceAll(name, "\\", "/")
	if len(n) >= 2 && n[1] == ':' {
		escapes = true
		n = n[2:]
	}
	if strings.HasPrefix(n, "/") {
		escapes = true
	}
	rel := path.Clean("./" + strings.TrimLeft(n, "/"))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		escapes = true
	}
	clean = strings.TrimPrefix(path.Clean("/"+n), "/")
	if clean == "" {
		clean = "."
	}
	return clean, escapes
}

// bomb stops the outermost archive with one warning and one skip.
func (x *expander) bomb(place, msg string) {
	if x.stopped {
		return
	}
	x.stopped = true
	x.st.Skip(SkipArchiveBomb)
	x.st.Warn(place, msg)
}

// meter wraps a decompressor so that what it produces is charged to the
// budget, and trips the bomb check on total size or ratio.
func (x *expander) meter(r io.Reader, in *CountingReader, place string) io.Reader {
	return &meteredReader{r: r, in: in, x: x, place: place}
}

type meteredReader struct {
	r     io.Reader
	in    *CountingReader
	x     *expander
	place string
	out   int64
}

// Read ends the stream with io.EOF when a limit trips, so that whatever
// was produced so far is still scanned and no second warning about a
// "read error" is printed.
func (m *meteredReader) Read(p []byte) (int, error) {
	if m.x.stopped {
		return 0, io.EOF
	}
	n, err := m.r.Read(p)
	m.out += int64(n)
	m.x.expanded += int64(n)
	switch {
	case m.x.expanded > m.x.al.MaxExpanded:
		m.x.bomb(m.place, fmt.Sprintf("archive bomb: expands to more than %d bytes; rest of archive skipped", m.x.al.MaxExpanded))
	case m.out > ratioFloor && m.out > m.x.al.MaxRatio*max(m.in.N, 1):
		m.x.bomb(m.place, fmt.Sprintf("archive bomb: %d bytes expand to more than %d (ratio over %d:1); rest of archive skipped", m.in.N, m.out, m.x.al.MaxRatio))
	}
	if m.x.stopped {
		return n, io.EOF
	}
	return n, err
}

// CountingReader counts the bytes read through it: N so far, from R.
type CountingReader struct {
	R io.Reader
	N int64
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += int64(n)
	return n, err
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
