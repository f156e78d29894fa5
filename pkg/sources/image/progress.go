package image

import (
	"io"
	"sync/atomic"
)

// progressCount is how far a walk has got, for a progress line: layers
// and their bytes as stored (compressed, mostly), which is what reading
// an image costs, whatever share of its files reaches the detector.
type progressCount struct {
	known                 atomic.Bool
	layers, bytes         atomic.Int64 // totals, from the manifests
	doneLayers, doneBytes atomic.Int64
}

// Total is the number of layers of every image the walk will read and
// their sizes, known once the manifests are read (zero before).
func (w *Walker) Total() (items, bytes int64) {
	if !w.prog.known.Load() {
		return 0, 0
	}
	return w.prog.layers.Load(), w.prog.bytes.Load()
}

// Done is the number of layers read so far and the bytes read of them.
func (w *Walker) Done() (items, bytes int64) {
	return w.prog.doneLayers.Load(), w.prog.doneBytes.Load()
}

func (p *progressCount) plan(targets []*target) {
	for _, t := range targets {
		for _, l := range t.layers {
			p.layers.Add(1)
			p.bytes.Add(l.size)
		}
	}
	p.known.Store(true)
}

// layerRead counts the bytes of one layer as they are read.
type layerRead struct {
	r io.Reader
	p *progressCount
	n int64
}

func (c *layerRead) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	c.p.doneBytes.Add(int64(n))
	return n, err
}

// finish marks the layer read: what was left unread (a damaged layer, a
// bomb cut short, a layer that could not be opened) counts as done too,
// so the percentage does not stall short of the end.
func (c *layerRead) finish(size int64) {
	c.p.doneBytes.Add(max(size-c.n, 0))
	c.p.doneLayers.Add(1)
}
