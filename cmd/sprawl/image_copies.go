package main

import (
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/image"
)

// withCopies adds, for every file the image walker did not scan because
// it had scanned the same content elsewhere (a layer that only changed
// permissions, another platform, a copy at another path), the findings of
// that content at the copy's place: a secret carried by three layers is
// reported in each, as the inventory's spread should count it.
func withCopies(found []classify.Finding, copies []image.Copy) []classify.Finding {
	if len(copies) == 0 {
		return found
	}
	type fileKey struct {
		image *sources.ImageOrigin
		path  string
	}
	byFile := map[fileKey][]image.Copy{}
	for _, c := range copies {
		k := fileKey{c.Of.Image, c.Of.Path}
		byFile[k] = append(byFile[k], c)
	}
	type placeKey struct {
		at   *sources.Origin
		path string
	}
	placed := map[placeKey]*sources.Origin{}
	var extra []classify.Finding
	for _, f := range found {
		o := f.Origin
		if o == nil || o.Image == nil {
			continue
		}
		// The scanned file is the finding's path or, inside an archive,
		// the part before one of its "!/".
		for file := o.Path; ; {
			for _, c := range byFile[fileKey{o.Image, file}] {
				if !c.Holds(o) {
					continue
				}
				k := placeKey{c.At, o.Path}
				if placed[k] == nil {
					placed[k] = c.Place(o)
				}
				g := f
				g.Origin = placed[k]
				g.NHI = append([]string(nil), f.NHI...)
				g.OwnNHI = append([]string(nil), f.OwnNHI...)
				g.Environments = append([]string(nil), f.Environments...)
				g.Owners = append([]string(nil), f.Owners...)
				extra = append(extra, g)
			}
			i := strings.LastIndex(file, "!/")
			if i < 0 {
				break
			}
			file = file[:i]
		}
	}
	if len(extra) == 0 {
		return found
	}
	out := append(found, extra...)
	sortFindings(out)
	return out
}
