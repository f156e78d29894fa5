package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// blobStore is where an image's manifests and blobs come from: an OCI
// layout folder, an OCI or docker archive, or a registry. Digests are
// checked by the caller, as content is read.
type blobStore interface {
	manifest(ctx context.Context, h v1.Hash) ([]byte, error)
	blob(ctx context.Context, h v1.Hash) (io.ReadCloser, error)
}

// errMissingBlob marks a blob the store does not have, so the warning can
// say so plainly.
var errMissingBlob = errors.New("blob missing")

// maxManifestSize caps manifests, indexes and configs, which are read
// whole: real ones are kilobytes, a hostile one could claim gigabytes.
const maxManifestSize = 16 << 20

func readSmall(rc io.ReadCloser, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return sources.ReadAllLimited(rc, maxManifestSize)
}

// layoutDir is an OCI image layout on disk. Blob paths are built only from
// parsed digests, so a hostile index cannot name a file outside it.
type layoutDir struct{ root string }

func (d layoutDir) open(h v1.Hash) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(d.root, "blobs", h.Algorithm, h.Hex))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", h, errMissingBlob)
	}
	return f, err
}

func (d layoutDir) manifest(_ context.Context, h v1.Hash) ([]byte, error) {
	return readSmall(d.open(h))
}

func (d layoutDir) blob(_ context.Context, h v1.Hash) (io.ReadCloser, error) { return d.open(h) }

// tarIndex gives random access to the files of an uncompressed tar (a
// docker save or oci-archive tarball) without extracting it: one pass
// over the headers records where each file's bytes sit, and opening a
// file is a section of the archive.
type tarIndex struct {
	f       *os.File
	size    int64
	entries map[string]tarEntry
	// damage describes where the archive stopped making sense, if it did.
	damage string
}

type tarEntry struct {
	off, size int64
	link      string // a symlink or hard link to another entry
}

func openTarIndex(p string) (*tarIndex, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	t := &tarIndex{f: f, size: info.Size(), entries: map[string]tarEntry{}}
	// archive/tar reads headers straight from the file and seeks over
	// data, so after Next the file offset is where the entry's data starts.
	tr := tar.NewReader(f)
	last := ""
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.damage = fmt.Sprintf("archive is corrupt or truncated after %q: %v", last, err)
			break
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("index %s: %w", p, err)
		}
		name := cleanTarName(hdr.Name)
		last = name
		switch hdr.Typeflag {
		case tar.TypeReg:
			t.entries[name] = tarEntry{off: off, size: hdr.Size}
			if off+hdr.Size > t.size {
				t.damage = fmt.Sprintf("archive is truncated inside %q", name)
			}
		case tar.TypeSymlink:
			t.entries[name] = tarEntry{link: cleanTarName(path.Join(path.Dir(name), hdr.Linkname))}
		case tar.TypeLink:
			t.entries[name] = tarEntry{link: cleanTarName(hdr.Linkname)}
		}
	}
	if len(t.entries) == 0 {
		f.Close()
		if t.damage != "" {
			return nil, fmt.Errorf("read %s: %s", p, t.damage)
		}
		return nil, fmt.Errorf("read %s: not a tar archive, or an empty one", p)
	}
	return t, nil
}

func cleanTarName(n string) string { return path.Clean("/" + n)[1:] }

func (t *tarIndex) has(name string) bool {
	_, ok := t.entries[name]
	return ok
}

// open returns a file's bytes; a file cut short by a truncated archive
// reads short, which the layer reader reports.
func (t *tarIndex) open(name string) (io.ReadCloser, error) {
	e, err := t.file(name)
	if err != nil {
		return nil, err
	}
	size := max(min(e.size, t.size-e.off), 0)
	var r io.Reader = io.NewSectionReader(t.f, e.off, size)
	if size < e.size {
		r = io.MultiReader(r, cutShort{})
	}
	return io.NopCloser(r), nil
}

// sizeOf is the size of a file's bytes in the archive, 0 if it has none.
func (t *tarIndex) sizeOf(name string) int64 {
	e, err := t.file(name)
	if err != nil {
		return 0
	}
	return max(min(e.size, t.size-e.off), 0)
}

// file follows links to the entry that holds a file's bytes.
func (t *tarIndex) file(name string) (tarEntry, error) {
	for hops := 0; hops < 8; hops++ {
		e, ok := t.entries[name]
		if !ok {
			return tarEntry{}, fmt.Errorf("%s: %w", name, errMissingBlob)
		}
		if e.link == "" {
			return e, nil
		}
		name = e.link
	}
	return tarEntry{}, fmt.Errorf("%s: too many links", name)
}

func (t *tarIndex) Close() error { return t.f.Close() }

// cutShort ends a file the archive was truncated inside of with an error
// rather than a clean end, so it is reported as truncated.
type cutShort struct{}

func (cutShort) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// archiveLayout is an OCI layout inside a tar (oci-archive, or a docker
// save from Docker 25 or later).
type archiveLayout struct{ t *tarIndex }

func (a archiveLayout) blob(_ context.Context, h v1.Hash) (io.ReadCloser, error) {
	return a.t.open(path.Join("blobs", h.Algorithm, h.Hex))
}

func (a archiveLayout) manifest(ctx context.Context, h v1.Hash) ([]byte, error) {
	return readSmall(a.blob(ctx, h))
}

// registryStore pulls from a registry; go-containerregistry verifies each
// blob's digest as it streams.
type registryStore struct {
	repo   name.Repository
	puller *remote.Puller
}

func (r registryStore) manifest(ctx context.Context, h v1.Hash) ([]byte, error) {
	d, err := r.puller.Get(ctx, r.repo.Digest(h.String()))
	if err != nil {
		return nil, err
	}
	if len(d.Manifest) > maxManifestSize {
		return nil, fmt.Errorf("manifest larger than %d bytes", maxManifestSize)
	}
	return d.Manifest, nil
}

func (r registryStore) blob(ctx context.Context, h v1.Hash) (io.ReadCloser, error) {
	l, err := r.puller.Layer(ctx, r.repo.Digest(h.String()))
	if err != nil {
		return nil, err
	}
	return l.Compressed()
}
