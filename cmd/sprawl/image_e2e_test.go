package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sprawl-sec/sprawl/pkg/report"
)

// A third token with a valid checksum, for the build argument.
const tokenC = "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"

type imgFile struct{ name, data string }

func imgTar(t *testing.T, files ...imgFile) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, f.data)
	}
	tw.Close()
	return b.Bytes()
}

// e2eImage: layer 0 holds a .env with tokenA, layer 1 a tar.gz holding a
// zip holding tokenB and is built with tokenC as a build argument, layer
// 2 deletes the .env. ENV carries tokenA as well.
func e2eImage(t *testing.T) v1.Image {
	t.Helper()
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("config/application.yml")
	io.WriteString(w, "github:\n  token: "+tokenB+"\n")
	zw.Close()
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(imgTar(t, imgFile{"inner/creds.zip", z.String()}))
	gw.Close()
	layers := [][]byte{
		imgTar(t, imgFile{"app/.env", "GITHUB_TOKEN=" + tokenA + "\n"}, imgFile{"app/main.py", "print('hi')\n"}),
		imgTar(t, imgFile{"opt/bundle.tar.gz", gz.String()}),
		imgTar(t, imgFile{"app/.wh..env", ""}),
	}
	createdBy := []string{"COPY . /app", "|1 GH=" + tokenC + " /bin/sh -c ./fetch-bundle.sh", "RUN /bin/sh -c rm /app/.env"}
	img := imageOfLayers(t, createdBy, layers)
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Env = []string{"GITHUB_TOKEN=" + tokenA}
	img, err := mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// imageOfLayers stacks layer tarballs on an empty image, each made by
// the build step createdBy names.
func imageOfLayers(t *testing.T, createdBy []string, layers [][]byte) v1.Image {
	t.Helper()
	var adds []mutate.Addendum
	for i, data := range layers {
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: createdBy[i]}})
	}
	img, err := mutate.Append(empty.Image, adds...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func fullJSON(t *testing.T, out string) report.JSONReport {
	t.Helper()
	var r report.JSONReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	return r
}

// imageWant is one expected finding and its layer provenance.
type imageWant struct {
	path      string
	layer     int
	deletedIn int
	createdBy string
}

// e2eWants is in report order (by path).
var e2eWants = []imageWant{
	{"<config>/Env", -1, 0, ""},
	{"<config>/history[1]", 1, 0, "|1 GH=ghp_…[REDACTED] /bin/sh -c ./fetch-bundle.sh"},
	{"app/.env", 0, 2, "COPY . /app"},
	{"opt/bundle.tar.gz!/inner/creds.zip!/config/application.yml", 1, 0, "|1 GH=ghp_…[REDACTED] /bin/sh -c ./fetch-bundle.sh"},
}

func checkImageReport(t *testing.T, r result, ref string) {
	t.Helper()
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	rep := fullJSON(t, r.stdout)
	if rep.Command != "image" || len(rep.Findings) != len(e2eWants) {
		t.Fatalf("command %q, %d findings, want %d: %s", rep.Command, len(rep.Findings), len(e2eWants), r.stdout)
	}
	for i, w := range e2eWants {
		f := rep.Findings[i]
		im := f.Image
		if f.Location.Path != w.path || im == nil || f.RuleID != "github-classic-pat" {
			t.Errorf("finding %d: %s %s, want %s", i, f.RuleID, f.Location.Path, w.path)
			continue
		}
		if im.Reference != ref || im.Platform != "linux/amd64" || im.LayerIndex != w.layer || im.DeletedIn != w.deletedIn ||
			im.Deleted != (w.deletedIn > 0) || im.CreatedBy != w.createdBy || !strings.HasPrefix(im.ConfigDigest, "sha256:") {
			t.Errorf("%s: provenance %+v", w.path, *im)
		}
		if w.layer >= 0 && !strings.HasPrefix(im.LayerDigest, "sha256:") {
			t.Errorf("%s: no layer digest", w.path)
		}
	}
	for _, s := range []string{tokenA, tokenB, tokenC} {
		if strings.Contains(r.stdout, s[8:]) || strings.Contains(r.stderr, s[8:]) {
			t.Errorf("secret %s… printed unredacted", s[:8])
		}
	}
}

func TestImageDockerTarball(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.tar")
	tag, _ := name.NewTag("registry.example.com/app:1.0")
	if err := tarball.WriteToFile(p, tag, e2eImage(t)); err != nil {
		t.Fatal(err)
	}
	checkImageReport(t, runSprawl(t, dir, "", "image", "app.tar", "--format", "json"), "app.tar")

	text := runSprawl(t, dir, "", "image", "app.tar")
	for _, want := range []string{"app/.env (image app.tar)", "deleted in layer 2, still in the image", "image config", "layer 1  |1 GH=ghp_…[REDACTED]"} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, text.stdout)
		}
	}
	for _, s := range []string{tokenA, tokenB, tokenC} {
		if strings.Contains(text.stdout, s[8:]) {
			t.Errorf("text report shows %s… in clear", s[:8])
		}
	}
}

func TestImageOCILayoutPlatformAndRegistry(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials from the machine
	img := e2eImage(t)
	dir := t.TempDir()
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	if _, err := layout.Write(filepath.Join(dir, "layout"), idx); err != nil {
		t.Fatal(err)
	}
	checkImageReport(t, runSprawl(t, dir, "", "image", "layout", "--platform", "linux/amd64", "--format", "json"), "layout")
	r := runSprawl(t, dir, "", "image", "layout", "--platform", "linux/s390x")
	if r.code != 2 || !strings.Contains(r.stderr, "no image for platform linux/s390x") {
		t.Errorf("unmatched platform: exit %d, stderr %s", r.code, r.stderr)
	}

	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ref := u.Host + "/acme/app:1.0"
	tag, _ := name.NewTag(ref)
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	checkImageReport(t, runSprawl(t, dir, "", "image", ref, "--format", "json"), ref)
}

// A layer blob gone missing: the rest is still scanned and reported, and
// the warning names the layer.
func TestImageMissingLayer(t *testing.T) {
	img := e2eImage(t)
	dir := t.TempDir()
	p, err := layout.Write(filepath.Join(dir, "layout"), mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img}))
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	d, _ := layers[1].Digest()
	os.Remove(filepath.Join(string(p), "blobs", d.Algorithm, d.Hex))
	_, rep, got := damagedLayoutScan(t, dir)
	if got != "<config>/Env <config>/history[1] app/.env" {
		t.Errorf("findings %s", got)
	}
	found := false
	for _, w := range rep.Summary.Warnings {
		found = found || (strings.Contains(w.Place, "layer 1 sha256:"+d.Hex[:12]) && strings.Contains(w.Message, "blob missing"))
	}
	if !found {
		t.Errorf("warnings %+v", rep.Summary.Warnings)
	}
}

func TestImageBadInput(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "notes.txt"), "hello\n")
	for _, args := range [][]string{{"image", "notes.txt"}, {"image", "missing.tar"}, {"image", "UPPER/Case::bad"}, {"image", "x.tar", "--platform", "arm64"}} {
		if r := runSprawl(t, dir, "", args...); r.code != 2 || r.stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// sprawl dir opens archives the same way: a jar in a folder is read
// member by member.
func TestDirOpensArchives(t *testing.T) {
	dir := t.TempDir()
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("BOOT-INF/classes/application.properties")
	io.WriteString(w, "github.token="+tokenA+"\n")
	zw.Close()
	writeFile(t, filepath.Join(dir, "lib", "app.jar"), z.String())
	r := runSprawl(t, dir, "", "dir", ".", "--format", "json")
	if rep := parseJSON(t, r.stdout); r.code != 1 || !rep.has("github-classic-pat", "lib/app.jar!/BOOT-INF/classes/application.properties", 1) {
		t.Errorf("exit %d, findings %+v", r.code, rep.Findings)
	}
}

// A hostile image through the binary: a zip bomb, a "../" name and a
// truncated layer are warnings naming the layer and entry; the secrets
// around them are still reported, and memory stays small.
func TestImageHostile(t *testing.T) {
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	io.Copy(fw, io.LimitReader(zeroReader{}, 256<<20))
	fw.Close()
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "zeros.bin", Method: zip.Deflate, CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 256 << 20})
	w.Write(deflated.Bytes())
	zw.Close()
	layers := [][]byte{
		imgTar(t, imgFile{"../../../etc/cron.d/job", "GH=" + tokenA + "\n"}, imgFile{"opt/bomb.zip", bomb.String()}, imgFile{"opt/after.txt", tokenB}),
		imgTar(t, imgFile{"srv/big.txt", strings.Repeat("filler line\n", 50000)}, imgFile{"srv/late.txt", tokenC}),
	}
	img := empty.Image
	for _, data := range layers {
		l, _ := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		img, _ = mutate.AppendLayers(img, l)
	}
	dir := t.TempDir()
	p, err := layout.Write(filepath.Join(dir, "layout"), mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img}))
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := img.Layers()
	d, _ := ls[1].Digest()
	blob := filepath.Join(string(p), "blobs", d.Algorithm, d.Hex)
	raw, _ := os.ReadFile(blob)
	os.WriteFile(blob, raw[:len(raw)/2], 0o644)

	r, rep, got := damagedLayoutScan(t, dir)
	if got != "etc/cron.d/job opt/after.txt" {
		t.Errorf("findings: %s", got)
	}
	for _, want := range []struct{ place, msg string }{
		{"layer 0 sha256:", "path traversal"},
		{"layer 0 sha256:", "archive bomb"},
		{"layer 1 sha256:" + d.Hex[:12], "truncated after entry"},
	} {
		found := false
		for _, w := range rep.Summary.Warnings {
			found = found || (strings.Contains(w.Place, want.place) && strings.Contains(w.Message, want.msg))
		}
		if !found {
			t.Errorf("no %q warning at %q: %+v", want.msg, want.place, rep.Summary.Warnings)
		}
	}
	if r.maxRSSKiB > 200<<10 {
		t.Errorf("peak memory %d MiB", r.maxRSSKiB>>10)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// damagedLayoutScan scans the OCI layout in dir/layout, which holds
// findings but also damage, and returns the run, its report and the
// report's finding paths.
func damagedLayoutScan(t *testing.T, dir string) (result, report.JSONReport, string) {
	t.Helper()
	r := runSprawl(t, dir, "", "image", "layout", "--format", "json")
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	rep := fullJSON(t, r.stdout)
	var paths []string
	for _, f := range rep.Findings {
		paths = append(paths, f.Location.Path)
	}
	return r, rep, strings.Join(paths, " ")
}
