package image

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// The measurement image is built from real files, not by default: set
// SPRAWL_BENCH_DIR to a folder and run
//
//	go test ./pkg/sources/image -run TestWriteBenchImage -v
//
// (scripts/image-bench.sh does this and times the binary). It writes
// go-toolchain.docker.tar, a `docker save` tarball with plain tar layers,
// and go-toolchain.oci, an OCI layout with the same layers gzipped. The
// files come from SPRAWL_BENCH_SRC, default the Go toolchain (go env GOROOT); any
// other folder gives one layer per top-level folder in it.

// benchLayer is one layer of the measurement image: folders under the
// source root, and extra files.
type benchLayer struct {
	createdBy string
	dirs      []string
	extra     []file
}

func benchLayers(src string) []benchLayer {
	secret := ghToken("bench secret")
	if _, err := os.Stat(filepath.Join(src, "src", "runtime")); err != nil {
		// Not a Go toolchain: one layer per top-level folder, then the
		// secret and its deletion.
		entries, _ := os.ReadDir(src)
		var ls []benchLayer
		for _, e := range entries {
			if e.IsDir() {
				ls = append(ls, benchLayer{createdBy: "COPY " + e.Name() + " /", dirs: []string{e.Name()}})
			}
		}
		return append(ls,
			benchLayer{createdBy: "COPY hosts.yml /root/.config/gh/", extra: []file{{name: "root/.config/gh/hosts.yml", data: "github.com:\n  oauth_token: " + secret + "\n"}}},
			benchLayer{createdBy: "RUN rm -rf /root/.config", extra: []file{{name: "root/.wh..config"}}})
	}
	return []benchLayer{
		{createdBy: "COPY src /usr/local/go/src", dirs: []string{"src"}},
		{createdBy: "COPY pkg bin /usr/local/go/", dirs: []string{"pkg", "bin"}},
		{createdBy: "COPY test api doc misc lib /usr/local/go/", dirs: []string{"test", "api", "doc", "misc", "lib"},
			extra: []file{{name: "root/.config/gh/hosts.yml", data: "github.com:\n  oauth_token: " + secret + "\n"}}},
		// A permissions-only layer: the same bytes again, which must be
		// scanned once.
		{createdBy: "RUN chmod -R a+r /usr/local/go/src/crypto", dirs: []string{"src/crypto"}},
		{createdBy: "RUN rm -rf /root/.config", extra: []file{{name: "root/.wh..config"}}},
	}
}

// writeLayerTar streams one layer's tar to w.
func writeLayerTar(w io.Writer, src string, l benchLayer) error {
	tw := tar.NewWriter(w)
	for _, d := range l.dirs {
		err := filepath.WalkDir(filepath.Join(src, d), func(p string, e fs.DirEntry, err error) error {
			if err != nil || !e.Type().IsRegular() {
				return err
			}
			info, err := e.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			hdr := &tar.Header{Name: "usr/local/" + filepath.Base(src) + "/" + filepath.ToSlash(rel), Mode: int64(info.Mode().Perm()), Size: info.Size(), Typeflag: tar.TypeReg}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(tw, f)
			return err
		})
		if err != nil {
			return err
		}
	}
	for _, f := range l.extra {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o600, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		io.WriteString(tw, f.data)
	}
	return tw.Close()
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func TestWriteBenchImage(t *testing.T) {
	out := os.Getenv("SPRAWL_BENCH_DIR")
	if out == "" {
		t.Skip("set SPRAWL_BENCH_DIR to build the measurement image")
	}
	src := os.Getenv("SPRAWL_BENCH_SRC")
	if src == "" {
		out, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			t.Fatalf("go env GOROOT: %v", err)
		}
		src = strings.TrimSpace(string(out))
	}
	layers := benchLayers(src)
	// First pass: each layer's diff_id and size, for the config and the
	// tar headers of the docker save.
	cfg := &v1.ConfigFile{OS: "linux", Architecture: runtime.GOARCH, RootFS: v1.RootFS{Type: "layers"},
		Config: v1.Config{Env: []string{"PATH=/usr/local/go/bin:/usr/bin", "GOROOT=/usr/local/go"}}}
	var sizes []int64
	for _, l := range layers {
		h, c := sha256.New(), &countingWriter{}
		if err := writeLayerTar(io.MultiWriter(h, c), src, l); err != nil {
			t.Fatal(err)
		}
		var d v1.Hash
		d.Algorithm, d.Hex = "sha256", fmt.Sprintf("%x", h.Sum(nil))
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, d)
		cfg.History = append(cfg.History, v1.History{CreatedBy: l.createdBy})
		sizes = append(sizes, c.n)
	}
	cfgRaw, _ := json.Marshal(cfg)
	cfgHash, _, _ := v1.SHA256(strings.NewReader(string(cfgRaw)))

	docker := filepath.Join(out, "go-toolchain.docker.tar")
	f, err := os.Create(docker)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	entry := map[string]any{"Config": cfgHash.Hex + ".json", "RepoTags": []string{"bench/go-toolchain:latest"}}
	var paths []string
	for _, d := range cfg.RootFS.DiffIDs {
		paths = append(paths, d.Hex+"/layer.tar")
	}
	entry["Layers"] = paths
	manifest, _ := json.Marshal([]any{entry})
	for _, e := range []struct {
		name string
		data []byte
	}{{"manifest.json", manifest}, {cfgHash.Hex + ".json", cfgRaw}} {
		tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg})
		tw.Write(e.data)
	}
	var total int64
	for i, l := range layers {
		tw.WriteHeader(&tar.Header{Name: paths[i], Mode: 0o644, Size: sizes[i], Typeflag: tar.TypeReg})
		if err := writeLayerTar(tw, src, l); err != nil {
			t.Fatal(err)
		}
		total += sizes[i]
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Logf("%s: %d layers, %.0f MB of layer content", docker, len(layers), float64(total)/1e6)

	if os.Getenv("SPRAWL_BENCH_NO_OCI") != "" {
		return
	}
	// The same layers gzipped, as an OCI layout.
	img, err := tarball.ImageFromPath(docker, nil)
	if err != nil {
		t.Fatal(err)
	}
	var adds []mutate.Addendum
	ls, _ := img.Layers()
	for i, l := range ls {
		adds = append(adds, mutate.Addendum{Layer: l, History: cfg.History[i]})
	}
	gz, err := mutate.Append(empty.Image, adds...)
	if err != nil {
		t.Fatal(err)
	}
	gz, _ = mutate.Config(gz, cfg.Config)
	oci := filepath.Join(out, "go-toolchain.oci")
	os.RemoveAll(oci)
	if _, err := layout.Write(oci, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: gz})); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: gzip layers", oci)
}

// BenchmarkWalk walks the measurement image (SPRAWL_BENCH_IMAGE) with an
// emit that does nothing: the walker's own cost, decompression included.
func BenchmarkWalk(b *testing.B) {
	in := os.Getenv("SPRAWL_BENCH_IMAGE")
	if in == "" {
		b.Skip("set SPRAWL_BENCH_IMAGE to a path built by TestWriteBenchImage")
	}
	for b.Loop() {
		st := sources.NewStats()
		start := time.Now()
		if err := New(Options{Input: in, Stats: st}).Walk(context.Background(), func(sources.Chunk) error { return nil }); err != nil {
			b.Fatal(err)
		}
		snap := st.Snapshot()
		var reasons []string
		for k, v := range snap.Skipped {
			reasons = append(reasons, fmt.Sprintf("%s=%d", k, v))
		}
		sort.Strings(reasons)
		b.Logf("%d files, %.0f MB scanned in %v; skipped %v", snap.Items, float64(snap.Bytes)/1e6, time.Since(start).Round(time.Millisecond), reasons)
	}
}
