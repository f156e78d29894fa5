package image

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
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
)

// The secrets of the fixture image, one per place.
var (
	tokDeleted  = ghToken("whiteout") // etc/app/.env in layer 0, whited out in layer 2
	tokOpaque   = ghToken("opaque")   // opt/data/cache.txt in layer 0, opaque dir in layer 3
	tokReplaced = ghToken("replaced") // app/config.yml in layer 0, overwritten in layer 1
	tokShared   = ghToken("shared")   // identical file in layers 0 and 1
	tokNested   = ghToken("nested")   // zip inside a tar.gz in layer 1
	tokJar      = ghToken("jar")      // properties inside a jar in layer 1
	tokLive     = ghToken("live")     // app/.npmrc in layer 3, in the final filesystem
	tokEnv      = ghToken("env")      // ENV in the config
	tokLabel    = ghToken("label")    // LABEL in the config
	tokArg      = ghToken("arg")      // ARG value in a RUN step's history
	tokCmd      = ghToken("cmd")      // in the Cmd
	elfHeader   = "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00"
	sharedNotes = "shared notes\nGH_TOKEN=" + tokShared + "\n"
)

var history = []string{
	"ADD rootfs.tar /",
	"|1 GH_ARG=" + tokArg + " /bin/sh -c ./build.sh",
	"RUN /bin/sh -c rm /etc/app/.env",
	"RUN /bin/sh -c rm -rf /opt/data && mkdir /opt/data",
}

func fixtureImage(t testing.TB) v1.Image {
	t.Helper()
	bundle := gzipBytes(tarBytes(t,
		dir("inner/"),
		file{name: "inner/creds.zip", data: string(zipBytes(t, file{name: "config/application.yml", data: "github:\n  token: " + tokNested + "\n"}))},
	))
	jar := zipBytes(t, file{name: "META-INF/MANIFEST.MF", data: "Manifest-Version: 1.0\n"},
		file{name: "BOOT-INF/classes/application.properties", data: "github.token=" + tokJar + "\n"})
	cfg := v1.Config{
		Env:    []string{"PATH=/usr/local/bin:/usr/bin", "GITHUB_TOKEN=" + tokEnv},
		Labels: map[string]string{"org.example.deploy-token": tokLabel, "maintainer": "ops@example.com"},
		Cmd:    []string{"/bin/sh", "-c", "curl -H 'Authorization: token " + tokCmd + "' https://api.github.com/user"},
	}
	return buildImage(t, cfg, []v1.History{{CreatedBy: "ENV GITHUB_TOKEN=" + tokEnv, EmptyLayer: true}},
		step{history[0], []file{
			dir("etc/"), dir("etc/app/"),
			{name: "etc/app/.env", data: "TOKEN=" + tokDeleted + "\n"},
			dir("opt/"), dir("opt/data/"),
			{name: "opt/data/cache.txt", data: "cached " + tokOpaque + "\n"},
			{name: "srv/shared.txt", data: sharedNotes},
			{name: "app/config.yml", data: "token: " + tokReplaced + "\n"},
			{name: "usr/bin/tool", data: elfHeader + strings.Repeat("\x00\x01", 100) + tokLive},
		}},
		step{history[1], []file{
			{name: "srv/copy.txt", data: sharedNotes},
			{name: "app/config.yml", data: "token: from-vault\n"},
			{name: "opt/bundle.tar.gz", data: string(bundle)},
			{name: "app/app.jar", data: string(jar)},
		}},
		step{history[2], []file{{name: "etc/app/.wh..env"}}},
		step{history[3], []file{
			{name: "opt/data/.wh..wh..opq"},
			{name: "opt/data/new.txt", data: "nothing here\n"},
			{name: "app/.npmrc", data: "//npm.pkg.github.com/:_authToken=" + tokLive + "\n"},
		}},
	)
}

// want is where one secret must be seen, and nowhere else.
type want struct {
	secret, path string
	layer        int
	deletedIn    int // 0: not deleted
	replaced     bool
}

var fixtureWants = []want{
	{tokDeleted, "etc/app/.env", 0, 2, false},
	{tokOpaque, "opt/data/cache.txt", 0, 3, false},
	{tokReplaced, "app/config.yml", 0, 1, true},
	{tokShared, "srv/copy.txt", 1, 0, false}, // the layer 0 copy is the same bytes: scanned once
	{tokNested, "opt/bundle.tar.gz!/inner/creds.zip!/config/application.yml", 1, 0, false},
	{tokJar, "app/app.jar!/BOOT-INF/classes/application.properties", 1, 0, false},
	{tokLive, "app/.npmrc", 3, 0, false},
	{tokEnv, "<config>/Env", -1, 0, false},
	{tokEnv, "<config>/history[0]", -1, 0, false}, // docker history shows ENV lines too
	{tokLabel, "<config>/Labels", -1, 0, false},
	{tokCmd, "<config>/Cmd", -1, 0, false},
	{tokArg, "<config>/history[2]", 1, 0, false},
}

// checkFixture asserts every secret of the fixture and its provenance:
// each secret is seen exactly in the places listed, nowhere else.
func checkFixture(t *testing.T, r result, ref, platform string) {
	t.Helper()
	places := map[string][]want{}
	for _, w := range fixtureWants {
		places[w.secret] = append(places[w.secret], w)
	}
	for secret, ws := range places {
		got := r.holding(secret)
		if len(got) != len(ws) {
			var paths []string
			for _, g := range got {
				paths = append(paths, fmt.Sprintf("%s@%d", g.path, g.origin.LayerIndex))
			}
			t.Errorf("%s: seen in %v, want %d place(s)", ws[0].path, paths, len(ws))
			continue
		}
		for i, w := range ws {
			c, o := got[i], got[i].origin
			if c.path != w.path || o.LayerIndex != w.layer || o.Deleted != (w.deletedIn > 0) || o.DeletedIn != w.deletedIn || o.Replaced != w.replaced {
				t.Errorf("%s: got path %s layer %d deleted %v in %d replaced %v", w.path, c.path, o.LayerIndex, o.Deleted, o.DeletedIn, o.Replaced)
			}
			if o.Reference != ref || o.Platform != platform || !strings.HasPrefix(o.ConfigDigest, "sha256:") {
				t.Errorf("%s: image %q platform %q config %q", w.path, o.Reference, o.Platform, o.ConfigDigest)
			}
			if w.layer >= 0 {
				if !strings.HasPrefix(o.LayerDigest, "sha256:") {
					t.Errorf("%s: no layer digest", w.path)
				}
				if wantBy := history[w.layer]; o.CreatedBy != wantBy {
					t.Errorf("%s: created_by %q, want %q", w.path, o.CreatedBy, wantBy)
				}
			}
		}
	}
	for _, c := range r.chunks {
		if c.path == "srv/shared.txt" || c.path == "usr/bin/tool" {
			t.Errorf("%s should not be scanned (duplicate / binary)", c.path)
		}
	}
	if r.snap.Skipped[SkipDuplicate] == 0 || r.snap.Skipped["binary"] == 0 {
		t.Errorf("skipped = %v", r.snap.Skipped)
	}
	if len(r.snap.Warnings) != 0 {
		t.Errorf("warnings: %+v", r.snap.Warnings)
	}
}

func TestDockerTarball(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.tar")
	writeDockerTarball(t, p, "registry.example.com/app:1.0", fixtureImage(t))
	r := mustScan(t, Options{Input: p})
	checkFixture(t, r, p, "linux/amd64")
	if tag := r.holding(tokLive)[0].origin.Tag; tag != "registry.example.com/app:1.0" {
		t.Errorf("tag = %q", tag)
	}
}

func TestLegacyDockerSave(t *testing.T) {
	p := filepath.Join(t.TempDir(), "legacy.tar")
	legacyDockerSave(t, p, "app:legacy", fixtureImage(t))
	checkFixture(t, mustScan(t, Options{Input: p, Workers: 1}), p, "linux/amd64")
}

func writeLayout(t testing.TB, idx v1.ImageIndex) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "layout")
	if _, err := layout.Write(p, idx); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOCILayoutAndArchive(t *testing.T) {
	img := fixtureImage(t)
	p := writeLayout(t, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img}))
	r := mustScan(t, Options{Input: p})
	checkFixture(t, r, p, "linux/amd64")
	digest, _ := img.Digest()
	if got := r.holding(tokLive)[0].origin.Digest; got != digest.String() {
		t.Errorf("manifest digest = %q, want %s", got, digest)
	}

	archive := filepath.Join(t.TempDir(), "app.oci.tar")
	tarDir(t, p, archive)
	checkFixture(t, mustScan(t, Options{Input: archive}), archive, "linux/amd64")
	checkFixture(t, mustScan(t, Options{Input: "oci-archive:" + archive}), "oci-archive:"+archive, "linux/amd64")
}

// A two-platform index: every platform is scanned and reported, and
// --platform keeps one without fetching the other.
func TestMultiPlatformIndex(t *testing.T) {
	amd := fixtureImage(t)
	armOnly := ghToken("arm only")
	arm := buildImage(t, v1.Config{}, nil, step{"COPY arm.txt /", []file{{name: "arm.txt", data: armOnly}}})
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
	)
	p := writeLayout(t, idx)
	all := mustScan(t, Options{Input: p})
	if got := all.holding(armOnly); len(got) != 1 || got[0].origin.Platform != "linux/arm64/v8" {
		t.Errorf("arm64 image not scanned: %+v", got)
	}
	if got := all.holding(tokLive); len(got) != 1 || got[0].origin.Platform != "linux/amd64" {
		t.Errorf("amd64 image: %+v", got)
	}
	only := mustScan(t, Options{Input: p, Platform: "linux/arm64"})
	if len(only.holding(tokEnv)) != 0 || len(only.holding(armOnly)) != 1 {
		t.Errorf("--platform linux/arm64 scanned other platforms")
	}
	if _, err := scan(t, Options{Input: p, Platform: "windows/amd64"}); err == nil || !strings.Contains(err.Error(), "no image for platform windows/amd64") {
		t.Errorf("unmatched platform: err = %v", err)
	}
	if _, err := scan(t, Options{Input: p, Platform: "amd64"}); err == nil {
		t.Errorf("a platform without os/ is accepted")
	}
}

func TestRegistry(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ref := u.Host + "/acme/app:1.0"
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	img := fixtureImage(t)
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	r := mustScan(t, Options{Input: ref})
	checkFixture(t, r, ref, "linux/amd64")
	digest, _ := img.Digest()
	byDigest := u.Host + "/acme/app@" + digest.String()
	checkFixture(t, mustScan(t, Options{Input: byDigest}), byDigest, "linux/amd64")

	if _, err := scan(t, Options{Input: u.Host + "/acme/missing:1"}); err == nil || !strings.Contains(err.Error(), "pull") {
		t.Errorf("missing image: err = %v", err)
	}
}

// Config-only secrets: the created_by copied into every finding of a
// layer goes through Sanitize, so a secret in a RUN line is not repeated
// in clear next to unrelated findings.
func TestSanitizeCreatedBy(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.tar")
	writeDockerTarball(t, p, "app:1", fixtureImage(t))
	r := mustScan(t, Options{Input: p, Sanitize: func(s string) string { return strings.ReplaceAll(s, tokArg, "[REDACTED]") }})
	jar := r.holding(tokJar)
	if len(jar) != 1 || jar[0].origin.CreatedBy != "|1 GH_ARG=[REDACTED] /bin/sh -c ./build.sh" {
		t.Errorf("created_by not sanitized: %+v", jar)
	}
}

func TestSequentialAndParallelAgree(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.tar")
	writeDockerTarball(t, p, "app:1", fixtureImage(t))
	one, many := mustScan(t, Options{Input: p, Workers: 1}), mustScan(t, Options{Input: p, Workers: 8})
	if fmt.Sprint(one.chunks) != fmt.Sprint(many.chunks) {
		t.Errorf("sequential and parallel scans differ")
	}
}
