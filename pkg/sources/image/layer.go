package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Whiteout markers (OCI image spec, layer.md).
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
)

// absurdSize is more than any real file in an image; a header claiming it
// is damage or an attack on whoever trusts it.
const absurdSize = 1 << 40

// layerScan reads one layer: the tar stream, decompressed on the fly.
type layerScan struct {
	w       *Walker
	t       *target
	ref     layerRef
	origin  *sources.ImageOrigin // shared by the layer's files that survive
	place   string
	view    *upperView
	pool    *scanPool
	touched *layerChanges
	hidden  map[hide]*sources.ImageOrigin // one origin per deleting layer
	capped  *layerCap
}

func (l *layerScan) warn(place, msg string) { l.w.opts.Stats.Warn(place, msg) }

func (l *layerScan) scan(ctx context.Context) error {
	l.touched = newLayerChanges(l.view)
	l.hidden = map[hide]*sources.ImageOrigin{}
	counted := &layerRead{p: &l.w.prog}
	defer counted.finish(l.ref.size)
	rc, err := l.ref.open(ctx)
	if err != nil {
		l.warn(l.place, fmt.Sprintf("cannot read layer: %v; skipped (whatever it deletes from lower layers is not known)", err))
		l.w.opts.Stats.Skip(sources.SkipError)
		return nil
	}
	defer rc.Close()
	counted.r = rc
	var (
		check *digestCheck
		src   io.Reader = counted
	)
	if !l.ref.verifyUncompressed {
		if check = newDigestCheck(rc, l.ref.verify); check != nil {
			src = check
		}
	}
	if !isLayerTar(l.ref.mediaType) {
		return l.blob(src, check)
	}
	stream, closeStream, err := decompress(src)
	if err != nil {
		l.warn(l.place, fmt.Sprintf("cannot decompress layer: %v; skipped", err))
		l.w.opts.Stats.Skip(sources.SkipError)
		return nil
	}
	defer closeStream()
	l.capped = &layerCap{r: stream, stored: counted, lim: l.w.opts.LayerLimits, l: l}
	stream = l.capped
	if l.ref.verifyUncompressed {
		if check = newDigestCheck(stream, l.ref.verify); check != nil {
			stream = check
		}
	}
	complete, err := l.walkTar(ctx, stream)
	if err != nil || l.capped.hit {
		return err // a layer cut short is not judged against its digest
	}
	if complete {
		// Read to the end (tar padding, trailing data) so that the digest
		// covers every byte.
		io.Copy(io.Discard, stream)
		if check != nil && !l.ref.verifyUncompressed {
			io.Copy(io.Discard, check)
		}
	}
	l.checkDigest(check)
	return nil
}

func (l *layerScan) checkDigest(check *digestCheck) {
	if check == nil {
		return
	}
	if got, bad := check.mismatch(); bad {
		l.warn(l.place, fmt.Sprintf("content does not match its digest %s (got sha256:%s): the image is damaged or was tampered with; files were scanned as found", check.want, got))
	}
}

// blob scans a layer that is not a filesystem tar (an attestation, an
// SBOM, an artifact) as one file, archives inside it included.
func (l *layerScan) blob(src io.Reader, check *digestCheck) error {
	origin := &sources.Origin{Source: sources.KindImage, Path: "<" + string(l.ref.mediaType) + ">", Image: l.origin}
	es := l.w.entryStats(l.place)
	err := sources.ReadContent(src, origin, -1, l.w.opts.Limits, es, l.pool.emit)
	l.w.fold(es)
	if err == nil {
		io.Copy(io.Discard, src)
		l.checkDigest(check)
	}
	return err
}

func isLayerTar(mt types.MediaType) bool {
	s := string(mt)
	return mt == "" || mt.IsLayer() || strings.Contains(s, "image.rootfs") || strings.Contains(s, "image.layer")
}

// decompress sniffs the compression from the first bytes, since media
// types are often wrong (a docker save holds plain tars under gzip types).
func decompress(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, nil, err
		}
		return zr, zr.Close, nil
	}
	return br, func() {}, nil
}

// walkTar reads the layer's entries. It returns complete=false when the
// stream broke (the warning is given), and an error only from emit.
func (l *layerScan) walkTar(ctx context.Context, stream io.Reader) (complete bool, err error) {
	tr := tar.NewReader(stream)
	last := "(start of layer)"
	for {
		if err := l.pool.failed(); err != nil {
			return false, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			if !l.capped.hit { // a bomb has had its warning
				l.warn(l.place, fmt.Sprintf("layer is corrupt or truncated after entry %q: %v; rest of layer skipped", last, err))
			}
			return false, nil
		}
		name, escapes := sources.CleanMemberName(strings.TrimLeft(hdr.Name, "/"))
		last = name
		if escapes {
			l.warn(l.place+": "+name, fmt.Sprintf("entry name %q leaves the layer root (path traversal); scanned as %q", hdr.Name, name))
		}
		dir, base := path.Dir(name), path.Base(name)
		switch {
		case base == opaqueMarker:
			l.touched.opaque(dir)
			continue
		case strings.HasPrefix(base, whiteoutPrefix):
			l.touched.whiteout(path.Join(dir, base[len(whiteoutPrefix):]))
			continue
		case hdr.Typeflag == tar.TypeDir:
			l.touched.dir(name)
			continue
		}
		l.touched.file(name)
		if hdr.Typeflag != tar.TypeReg {
			continue // links and devices have no content of their own
		}
		if hdr.Size > absurdSize {
			l.warn(l.place+": "+name, fmt.Sprintf("entry claims %d bytes: absurd size; skipped", hdr.Size))
			l.w.opts.Stats.Skip(sources.SkipError)
			continue
		}
		if err := l.entry(ctx, tr, name, hdr.Size); err != nil {
			return false, err
		}
	}
}

// fileOrigin is the layer's origin, or for a file a later layer deletes
// or replaces, a copy that says so.
func (l *layerScan) fileOrigin(name string) *sources.ImageOrigin {
	h, ok := l.view.hiddenBy(name)
	if !ok {
		return l.origin
	}
	if o, ok := l.hidden[h]; ok {
		return o
	}
	o := *l.origin
	o.Deleted, o.DeletedIn, o.Replaced = true, h.layer, h.replaced
	l.hidden[h] = &o
	return &o
}

// digestCheck hashes what is read through it, to compare with the digest
// the manifest or config promised once the stream has been read to its end.
type digestCheck struct {
	r    io.Reader
	h    hash.Hash
	want v1.Hash
	eof  bool
}

func newDigestCheck(r io.Reader, want v1.Hash) *digestCheck {
	if want.Algorithm != "sha256" {
		return nil
	}
	return &digestCheck{r: r, h: sha256.New(), want: want}
}

func (d *digestCheck) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.h.Write(p[:n])
	if err == io.EOF {
		d.eof = true
	}
	return n, err
}

// mismatch reports a wrong digest; a stream not read to its end (already
// reported as truncated) is not judged.
func (d *digestCheck) mismatch() (got string, bad bool) {
	if !d.eof {
		return "", false
	}
	got = hex.EncodeToString(d.h.Sum(nil))
	return got, got != d.want.Hex
}
