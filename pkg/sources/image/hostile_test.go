package image

import (
	"archive/tar"
	"bytes"
	"compress/flate"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"archive/zip"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// layoutOf writes img as an OCI layout and returns its path and the blob
// path of each layer, bottom first.
func layoutOf(t *testing.T, img v1.Image) (string, []string) {
	t.Helper()
	p := writeLayout(t, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img}))
	layers, _ := img.Layers()
	var blobs []string
	for _, l := range layers {
		d, _ := l.Digest()
		blobs = append(blobs, filepath.Join(p, "blobs", d.Algorithm, d.Hex))
	}
	return p, blobs
}

func TestMissingLayerBlob(t *testing.T) {
	p, blobs := layoutOf(t, fixtureImage(t))
	if err := os.Remove(blobs[1]); err != nil {
		t.Fatal(err)
	}
	r := mustScan(t, Options{Input: p})
	if !r.warned("layer 1 sha256:", "blob missing") {
		t.Errorf("no warning naming layer 1: %+v", r.snap.Warnings)
	}
	for _, secret := range []string{tokLive, tokDeleted, tokOpaque, tokEnv} {
		if len(r.holding(secret)) == 0 {
			t.Errorf("scan did not go on past the missing layer: %s not seen", secret)
		}
	}
	if len(r.holding(tokJar)) != 0 {
		t.Errorf("content of the missing layer reported")
	}
}

func TestTruncatedLayer(t *testing.T) {
	p, blobs := layoutOf(t, fixtureImage(t))
	data, _ := os.ReadFile(blobs[1])
	if err := os.WriteFile(blobs[1], data[:len(data)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustScan(t, Options{Input: p})
	if !r.warned("layer 1 sha256:", "truncated after entry") {
		t.Errorf("no warning naming the layer and entry: %+v", r.snap.Warnings)
	}
	if len(r.holding(tokLive)) != 1 || len(r.holding(tokDeleted)) != 1 {
		t.Errorf("other layers not scanned")
	}
}

// A layer blob swapped for other content: the digest no longer matches,
// which is reported, and what is there is still scanned.
func TestWrongLayerDigest(t *testing.T) {
	p, blobs := layoutOf(t, fixtureImage(t))
	swapped := ghToken("swapped")
	data := gzipBytes(tarBytes(t, file{name: "app/.npmrc", data: "//registry.npmjs.org/:_authToken=" + swapped + "\n"}))
	if err := os.WriteFile(blobs[3], data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustScan(t, Options{Input: p})
	if !r.warned("layer 3 sha256:", "does not match its digest") {
		t.Errorf("no digest warning for layer 3: %+v", r.snap.Warnings)
	}
	if len(r.holding(swapped)) != 1 {
		t.Errorf("swapped content not scanned")
	}

	// The same for a docker save, whose layers are checked against the
	// config's diff_ids.
	legacy := filepath.Join(t.TempDir(), "legacy.tar")
	legacyDockerSave(t, legacy, "app:1", fixtureImage(t))
	raw, _ := os.ReadFile(legacy)
	i := bytes.Index(raw, []byte("nothing here\n"))
	copy(raw[i:], "NOTHING HERE\n")
	os.WriteFile(legacy, raw, 0o644)
	r = mustScan(t, Options{Input: legacy})
	if !r.warned("layer 3 sha256:", "does not match its digest") {
		t.Errorf("no diff_id warning: %+v", r.snap.Warnings)
	}
}

// A docker save cut short inside its last layer: the layers before it and
// the config are still scanned.
func TestTruncatedDockerSave(t *testing.T) {
	p := filepath.Join(t.TempDir(), "legacy.tar")
	legacyDockerSave(t, p, "app:1", fixtureImage(t))
	raw, _ := os.ReadFile(p)
	cut := bytes.LastIndex(raw, []byte("app/.npmrc"))
	os.WriteFile(p, raw[:cut+600], 0o644)
	r := mustScan(t, Options{Input: p})
	if !r.warned(p, "truncated") || !r.warned("layer 3", "truncated after entry") {
		t.Errorf("warnings: %+v", r.snap.Warnings)
	}
	if len(r.holding(tokDeleted)) != 1 || len(r.holding(tokEnv)) == 0 {
		t.Errorf("layers before the cut not scanned")
	}

	// Cut before manifest.json is complete, nothing says what the image is.
	os.WriteFile(p, raw[:300], 0o644)
	if _, err := scan(t, Options{Input: p}); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("err = %v", err)
	}
}

// Layers with "../" names, a zip bomb and a header claiming a petabyte:
// each is a warning that names the layer and the entry, and the rest of
// the image is scanned.
func TestHostileLayerEntries(t *testing.T) {
	traversal := ghToken("traversal")
	after := ghToken("after bomb")
	var c bytes.Buffer
	fw, _ := flate.NewWriter(&c, flate.BestCompression)
	io.Copy(fw, io.LimitReader(zeroReader{}, 64<<20))
	fw.Close()
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "zeros.bin", Method: zip.Deflate, CompressedSize64: uint64(c.Len()), UncompressedSize64: 64 << 20})
	w.Write(c.Bytes())
	zw.Close()

	var absurd bytes.Buffer
	tw := tar.NewWriter(&absurd)
	tw.WriteHeader(&tar.Header{Name: "ok.txt", Mode: 0o644, Size: int64(len(tokLive)), Typeflag: tar.TypeReg})
	tw.Write([]byte(tokLive))
	tw.WriteHeader(&tar.Header{Name: "huge.bin", Mode: 0o644, Size: 1 << 50, Typeflag: tar.TypeReg})
	tw.Write([]byte("short"))
	tw.Flush()
	absurdLayer := absurd.Bytes()

	img := buildImage(t, v1.Config{}, nil,
		step{"ADD evil.tar /", []file{
			{name: "../../../etc/cron.d/evil", data: "T=" + traversal + "\n"},
			{name: "opt/bomb.zip", data: bomb.String()},
			{name: "opt/after.txt", data: after},
		}},
	)
	img, err := mutate.AppendLayers(img, rawLayer(t, absurdLayer))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := layoutOf(t, img)
	r := mustScan(t, Options{Input: p})
	got := r.holding(traversal)
	if len(got) != 1 || got[0].path != "etc/cron.d/evil" {
		t.Errorf("traversal entry: %+v", got)
	}
	for _, w := range []struct{ place, msg string }{
		{"layer 0 sha256:", "path traversal"},
		{"layer 0 sha256:", "archive bomb"},
		{": opt/bomb.zip!/zeros.bin", "archive bomb"},
		{"layer 1 sha256:", "absurd size"},
		{": huge.bin", "absurd size"},
	} {
		if !r.warned(w.place, w.msg) {
			t.Errorf("no %q warning at %q: %+v", w.msg, w.place, r.snap.Warnings)
		}
	}
	if len(r.holding(after)) != 1 || len(r.holding(tokLive)) != 1 {
		t.Errorf("scan did not go on after the hostile entries")
	}
}

func TestNotAnImage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "plain.tar")
	os.WriteFile(p, tarBytes(t, file{name: "a.txt", data: "hello"}), 0o644)
	if _, err := scan(t, Options{Input: p}); err == nil || !strings.Contains(err.Error(), "not an image") {
		t.Errorf("plain tar: err = %v", err)
	}
	if _, err := scan(t, Options{Input: filepath.Join(t.TempDir(), "missing.tar")}); err == nil {
		t.Errorf("missing path: no error")
	}
	bad := filepath.Join(t.TempDir(), "layout")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "index.json"), []byte(`{"manifests":[{"digest":"sha256:../../../../etc/passwd"}]}`), 0o644)
	if _, err := scan(t, Options{Input: bad}); err == nil {
		t.Errorf("hostile index: no error")
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
