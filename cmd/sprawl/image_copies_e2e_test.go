package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestImageCopiesE2E: a .env carried again by a chmod layer and copied to
// another path is scanned once but reported at every place it is in the
// image, each with its own layer, and the deleted copy says so.
func TestImageCopiesE2E(t *testing.T) {
	env := imgFile{"app/.env", "GITHUB_TOKEN=" + tokenA + "\n"}
	layers := [][]byte{
		imgTar(t, env),
		imgTar(t, env, imgFile{"backup/app.env", env.data}),
	}
	img := imageOfLayers(t, []string{"COPY . /app", "RUN chmod -R a+r /app && cp /app/.env /backup/app.env"}, layers)
	dir := t.TempDir()
	tag, _ := name.NewTag("registry.example.com/copies:1")
	if err := tarball.WriteToFile(filepath.Join(dir, "copies.tar"), tag, img); err != nil {
		t.Fatal(err)
	}
	r := runSprawl(t, dir, "", "image", "copies.tar", "-f", "json")
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	rep := fullJSON(t, r.stdout)
	var got []string
	for _, f := range rep.Findings {
		if f.Image == nil {
			t.Fatalf("finding without image provenance: %+v", f.Location)
		}
		place := fmt.Sprintf("%s@%d", f.Location.Path, f.Image.LayerIndex)
		if f.Image.Replaced {
			place += " replaced"
		}
		got = append(got, place)
	}
	sort.Strings(got)
	want := []string{"app/.env@0 replaced", "app/.env@1", "backup/app.env@1"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("findings at %v, want %v", got, want)
	}
	if rep.Summary.Skipped["same content as a file already scanned"] != 2 {
		t.Errorf("skipped %v: the copies were scanned again", rep.Summary.Skipped)
	}
}
