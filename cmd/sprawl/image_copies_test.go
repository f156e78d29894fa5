package main

import (
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/image"
)

// withCopies places findings inside archives ("a.jar!/x.yml", even in a
// folder whose own name holds "!") at the copy's path, and leaves
// findings of other files alone.
func TestWithCopies(t *testing.T) {
	top := &sources.ImageOrigin{LayerIndex: 2}
	low := &sources.ImageOrigin{LayerIndex: 0}
	rule := &detect.Rule{ID: "r"}
	at := func(img *sources.ImageOrigin, path string, off int64) classify.Finding {
		f := classify.Finding{NHI: []string{"NHI2"}}
		f.Rule, f.Offset = rule, off
		f.Origin = &sources.Origin{Source: sources.KindImage, Path: path, Image: img}
		return f
	}
	found := []classify.Finding{
		at(top, "odd!/app.jar!/config/a.yml", 10),
		at(top, "odd!/app.jar.bak", 20),
		at(top, "other.env", 30),
	}
	copies := []image.Copy{{
		Of: &sources.Origin{Source: sources.KindImage, Path: "odd!/app.jar", Image: top},
		At: &sources.Origin{Source: sources.KindImage, Path: "lib/app.jar", Image: low},
	}}
	out := withCopies(found, copies)
	if len(out) != 4 {
		t.Fatalf("got %d findings, want 4", len(out))
	}
	var placed *classify.Finding
	for i := range out {
		if out[i].Origin.Path == "lib/app.jar!/config/a.yml" {
			placed = &out[i]
		}
	}
	if placed == nil || placed.Origin.Image != low || placed.Offset != 10 {
		t.Fatalf("copy not placed: %+v", out)
	}
	placed.NHI[0] = "changed"
	if found[0].NHI[0] != "NHI2" {
		t.Errorf("the copy shares its NHI slice with the original")
	}
	if out[0].Origin.Path > out[1].Origin.Path {
		t.Errorf("output not sorted by path")
	}
}
