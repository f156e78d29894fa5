package image

import "hash/maphash"

// hide records that a layer deletes (whiteout, opaque folder) or replaces
// (a new file, folder or link at the same path) what lower layers hold.
type hide struct {
	layer    int
	replaced bool
}

// upperView is what the layers above the one being read do to it. Layers
// are read from the top down, so when a file is read, every layer that
// could delete it has been listed already. Only 64-bit hashes of paths
// are kept, so memory grows with the number of paths, not their length.
type upperView struct {
	seed maphash.Seed
	// exact hides a file at exactly this path; below hides everything
	// under this path (a deleted or replaced folder, an opaque folder).
	exact, below map[uint64]hide
}

func newUpperView() *upperView {
	return &upperView{seed: maphash.MakeSeed(), exact: map[uint64]hide{}, below: map[uint64]hide{}}
}

func (v *upperView) key(p string) uint64 { return maphash.String(v.seed, p) }

// hiddenBy returns the nearest upper layer that deletes or replaces the
// file at p, if any does.
func (v *upperView) hiddenBy(p string) (hide, bool) {
	best, ok := v.exact[v.key(p)]
	consider := func(h hide, found bool) {
		if found && (!ok || h.layer < best.layer) {
			best, ok = h, true
		}
	}
	root, found := v.below[v.key(".")] // an opaque marker at the layer root
	consider(root, found)
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' {
			h, found := v.below[v.key(p[:i])]
			consider(h, found)
		}
	}
	return best, ok
}

// add records one layer's changes for the layers below it. Layers arrive
// from the top down, so a later call is a lower layer and its entries
// replace earlier ones: the nearest layer wins.
func (v *upperView) add(c *layerChanges, layer int) {
	for k, replaced := range c.exact {
		v.exact[k] = hide{layer: layer, replaced: replaced}
	}
	for k, replaced := range c.below {
		v.below[k] = hide{layer: layer, replaced: replaced}
	}
}

// layerChanges collects what one layer does to the layers below it.
type layerChanges struct {
	v            *upperView
	exact, below map[uint64]bool // value: replaced (true) or deleted (false)
}

func newLayerChanges(v *upperView) *layerChanges {
	return &layerChanges{v: v, exact: map[uint64]bool{}, below: map[uint64]bool{}}
}

// whiteout: ".wh.name" deletes name and, if it was a folder, its contents.
func (c *layerChanges) whiteout(p string) {
	k := c.v.key(p)
	c.exact[k], c.below[k] = false, false
}

// opaque: ".wh..wh..opq" in a folder hides everything lower layers put in it.
func (c *layerChanges) opaque(dir string) { c.below[c.v.key(dir)] = false }

// file: a file or link replaces whatever was at its path, folder included.
func (c *layerChanges) file(p string) {
	k := c.v.key(p)
	if _, deleted := c.exact[k]; !deleted {
		c.exact[k] = true
	}
	if _, deleted := c.below[k]; !deleted {
		c.below[k] = true
	}
}

// dir: a folder replaces a file at its path but merges with a folder.
func (c *layerChanges) dir(p string) {
	k := c.v.key(p)
	if _, deleted := c.exact[k]; !deleted {
		c.exact[k] = true
	}
}
