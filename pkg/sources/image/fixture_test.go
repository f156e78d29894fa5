package image

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ghToken makes a distinct GitHub classic token with a valid checksum for
// each seed, so every secret in a fixture can be traced to one place.
func ghToken(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	payload := make([]byte, 30)
	for i := range payload {
		payload[i] = base62[int(sum[i%32]+byte(i*7))%62]
	}
	v := crc32.ChecksumIEEE(payload)
	check := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		check[i] = base62[v%62]
		v /= 62
	}
	return "ghp_" + string(payload) + string(check)
}

// file is one tar entry of a test layer; typeflag 0 means a regular file.
type file struct {
	name     string
	data     string
	typeflag byte
}

func dir(name string) file { return file{name: name, typeflag: tar.TypeDir} }

func tarBytes(t testing.TB, files ...file) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: f.typeflag}
		if f.typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeDir {
			h.Size, h.Mode = 0, 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, f.data)
	}
	tw.Close()
	return b.Bytes()
}

func layerOf(t testing.TB, files ...file) v1.Layer {
	t.Helper()
	data := tarBytes(t, files...)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// rawLayer makes a layer of any bytes, a broken tar included.
func rawLayer(t testing.TB, data []byte) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func gzipBytes(data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func zipBytes(t testing.TB, files ...file) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, f.data)
	}
	zw.Close()
	return b.Bytes()
}

// step is one layer with the history entry that made it.
type step struct {
	createdBy string
	files     []file
}

// buildImage stacks layers on an empty image and sets the config.
func buildImage(t testing.TB, cfg v1.Config, history []v1.History, steps ...step) v1.Image {
	t.Helper()
	img := empty.Image
	var adds []mutate.Addendum
	for _, s := range steps {
		adds = append(adds, mutate.Addendum{Layer: layerOf(t, s.files...), History: v1.History{CreatedBy: s.createdBy}})
	}
	img, err := mutate.Append(img, adds...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config = cfg
	cf.History = append(history, cf.History...)
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// legacyDockerSave writes an image the way `docker save` did before
// Docker 25: uncompressed <id>/layer.tar files, <hex>.json config, and
// manifest.json first.
func legacyDockerSave(t testing.TB, path, tag string, img v1.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	cfgName, _ := img.ConfigName()
	cfg, _ := img.RawConfigFile()
	layers, _ := img.Layers()
	entry := struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{Config: cfgName.Hex + ".json", RepoTags: []string{tag}}
	var blobs [][]byte
	for _, l := range layers {
		d, _ := l.DiffID()
		rc, _ := l.Uncompressed()
		b, _ := io.ReadAll(rc)
		rc.Close()
		entry.Layers = append(entry.Layers, d.Hex+"/layer.tar")
		blobs = append(blobs, b)
	}
	manifest, _ := json.Marshal([]any{entry})
	put := func(name string, data []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	put("manifest.json", manifest)
	put(entry.Config, cfg)
	for i, b := range blobs {
		put(entry.Layers[i], b)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// tarDir packs a folder (an OCI layout) into an oci-archive.
func tarDir(t testing.TB, root, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, _ := os.ReadFile(p)
		tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
		return nil
	})
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeDockerTarball(t testing.TB, path, tag string, img v1.Image) {
	t.Helper()
	ref, err := name.NewTag(tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(path, ref, img); err != nil {
		t.Fatal(err)
	}
}

// scanned is one chunk the walker emitted, joined per (path, origin).
type scanned struct {
	path   string
	data   string
	origin sources.ImageOrigin
}

type result struct {
	chunks []scanned
	snap   sources.Snapshot
}

func scan(t testing.TB, opts Options) (result, error) {
	t.Helper()
	opts.Stats = sources.NewStats()
	return scanWith(t, New(opts))
}

// scanWith walks with a walker the test keeps, to ask it more afterwards.
func scanWith(t testing.TB, w *Walker) (result, error) {
	t.Helper()
	var (
		mu  sync.Mutex
		got = map[*sources.Origin]*scanned{}
	)
	err := w.Walk(context.Background(), func(c sources.Chunk) error {
		mu.Lock()
		defer mu.Unlock()
		s, ok := got[c.Origin]
		if !ok {
			s = &scanned{path: c.Origin.Path, origin: *c.Origin.Image}
			got[c.Origin] = s
		}
		s.data += string(c.Data)
		return nil
	})
	var r result
	for _, s := range got {
		r.chunks = append(r.chunks, *s)
	}
	sort.Slice(r.chunks, func(i, j int) bool {
		a, b := r.chunks[i], r.chunks[j]
		if a.path != b.path {
			return a.path < b.path
		}
		if a.origin.Platform != b.origin.Platform {
			return a.origin.Platform < b.origin.Platform
		}
		return a.origin.LayerIndex < b.origin.LayerIndex
	})
	r.snap = w.opts.Stats.Snapshot()
	return r, err
}

func mustScan(t testing.TB, opts Options) result {
	t.Helper()
	r, err := scan(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// holding returns the chunks whose content contains secret.
func (r result) holding(secret string) []scanned {
	var out []scanned
	for _, c := range r.chunks {
		if strings.Contains(c.data, secret) {
			out = append(out, c)
		}
	}
	return out
}

func (r result) warned(placePart, msgPart string) bool {
	for _, w := range r.snap.Warnings {
		if strings.Contains(w.Place, placePart) && strings.Contains(w.Message, msgPart) {
			return true
		}
	}
	return false
}
