package git

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// zipOf builds a zip archive of the given members, in order.
func zipOf(t *testing.T, members ...[2]string) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range members {
		w, err := zw.Create(m[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(m[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// tgzOf builds a gzipped tar of the given members.
func tgzOf(t *testing.T, members ...[2]string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m[0], Mode: 0o644, Size: int64(len(m[1])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(m[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// archiveStory commits a release zip holding a secret, grows it (the
// secret stays, a second one arrives inside a nested tar.gz), then
// deletes it: each secret must be reported once, at the commit that put
// it in the archive, under the member's path.
func archiveStory(t *testing.T) (*fixture, map[string]string, []string) {
	f := newFixture(t)
	first, second := fakePAT("sprawl-archive-first"), fakePAT("sprawl-archive-second")
	filler := bigText(200, "release notes")
	f.write("README.md", "demo\n")
	f.write("dist/release.zip", zipOf(t, [2]string{"notes.txt", filler}, [2]string{"config/app.env", "APP=demo\nGITHUB_TOKEN=" + first + "\n"}))
	c1 := f.commit("Alice", "ship release 1")
	f.write("dist/release.zip", zipOf(t, [2]string{"notes.txt", filler + "one more line for release two, long enough\n"},
		[2]string{"config/app.env", "APP=demo\nGITHUB_TOKEN=" + first + "\n"},
		[2]string{"vendor/tools.tgz", tgzOf(t, [2]string{"tools/deploy.sh", "#!/bin/sh\nexport GH_TOKEN=" + second + "\n"})}))
	c2 := f.commit("Bob", "ship release 2")
	f.remove("dist/release.zip")
	f.commit("Alice", "stop committing build output")
	return f, map[string]string{first: c1.String(), second: c2.String()}, []string{first, second}
}

func checkArchiveFindings(t *testing.T, got []Finding, intro map[string]string, secrets []string) {
	t.Helper()
	want := map[string]string{ // secret -> path
		secrets[0]: "dist/release.zip!/config/app.env",
		secrets[1]: "dist/release.zip!/vendor/tools.tgz!/tools/deploy.sh",
	}
	seen := map[string]int{}
	for _, g := range got {
		s := g.Match.Value.(detect.Finding).Secret
		seen[s]++
		if g.Origin.Path != want[s] {
			t.Errorf("secret %.8s…: path %q, want %q", s, g.Origin.Path, want[s])
		}
		if g.Origin.Git.Commit != intro[s] {
			t.Errorf("secret %.8s…: commit %s, want %s", s, g.Origin.Git.Commit, intro[s])
		}
		if g.Origin.Git.PresentAtHEAD {
			t.Errorf("secret %.8s…: present at HEAD, but the archive was deleted", s)
		}
	}
	for _, s := range secrets {
		if seen[s] != 1 {
			t.Errorf("secret %.8s… reported %d times, want once", s, seen[s])
		}
	}
	if t.Failed() {
		for _, g := range got {
			t.Logf("got %s at %s line %d", g.Origin.Path, g.Origin.Git.Commit[:7], g.Match.Line)
		}
	}
}

func TestArchiveInHistoryLoose(t *testing.T) {
	f, intro, secrets := archiveStory(t)
	got, _, _ := scan(t, Options{Path: f.dir}, testFinder(t))
	checkArchiveFindings(t, got, intro, secrets)
}

func TestArchiveInHistoryPacked(t *testing.T) {
	f, intro, secrets := archiveStory(t)
	f.repack()
	got, _, _ := scan(t, Options{Path: f.dir}, testFinder(t))
	checkArchiveFindings(t, got, intro, secrets)
}

func TestArchiveInHistoryObjects(t *testing.T) {
	f, intro, secrets := archiveStory(t)
	checkArchiveFindings(t, scanObjects(t, f.dir, testFinder(t)), intro, secrets)
}

// A secret in an archive that is nested deeper than the archive limits
// allow is not read, and the warning names the blob: bombs stay bounded
// in history as in `sprawl dir`.
func TestArchiveInHistoryBounded(t *testing.T) {
	f := newFixture(t)
	inner := "GITHUB_TOKEN=" + fakePAT("sprawl-archive-deep") + "\n"
	nested := tgzOf(t, [2]string{"app.env", inner})
	for range sources.DefaultArchiveLimits.MaxDepth {
		nested = zipOf(t, [2]string{"inner.zip", nested})
	}
	f.write("deep.zip", nested)
	f.commit("Mallory", "nested archives")
	st := sources.NewStats()
	got, _, _ := scan(t, Options{Path: f.dir, Stats: st}, testFinder(t))
	if len(got) != 0 {
		t.Errorf("got %d findings from an archive nested past the depth limit", len(got))
	}
	if st.Snapshot().Skipped[sources.SkipArchiveDepth] != 1 {
		t.Errorf("skips %v, want one %q", st.Snapshot().Skipped, sources.SkipArchiveDepth)
	}
	warned := false
	for _, w := range st.Snapshot().Warnings {
		warned = warned || (strings.HasPrefix(w.Place, "blob ") && strings.Contains(w.Message, "nested"))
	}
	if !warned {
		t.Errorf("no warning naming the blob: %v", st.Snapshot().Warnings)
	}
}

// A zip behind an executable stub (a self-extracting installer) is
// opened in history too.
func TestSelfExtractingArchiveInHistory(t *testing.T) {
	f := newFixture(t)
	secret := fakePAT("sprawl-archive-sfx")
	stub := "MZ\x90\x00" + strings.Repeat("\x00\x01stub", 500)
	f.write("tools/setup.exe", stub+zipOf(t, [2]string{"config/app.env", "GITHUB_TOKEN=" + secret + "\n"}))
	c := f.commit("Alice", "installer")
	got, _, _ := scan(t, Options{Path: f.dir}, testFinder(t))
	if len(got) != 1 || got[0].Origin.Path != "tools/setup.exe!/config/app.env" || got[0].Origin.Git.Commit != c.String() ||
		got[0].Match.Value.(detect.Finding).Secret != secret {
		t.Fatalf("got %d findings: %+v", len(got), got)
	}
}
