package image

import (
	"fmt"
	"io"
)

// LayerLimits bound how much one layer may expand to when decompressed,
// in the style of sources.ArchiveLimits: a small gzip or zstd blob can
// inflate to terabytes (a decompression bomb), and every byte of a layer
// is decompressed whether or not a file in it is read.
type LayerLimits struct {
	// MaxExpanded is how many decompressed bytes one layer may produce.
	MaxExpanded int64
	// MaxRatio is the largest decompressed/stored ratio a layer may show
	// once it has produced more than RatioFloor bytes.
	MaxRatio   int64
	RatioFloor int64
}

// DefaultLayerLimits: 64 GiB is well beyond the largest real layers
// (CUDA and model images run to a few tens of GB); past 1 GiB, nothing
// real compresses better than 1000:1 except runs of zeros (deflate's
// ceiling is about 1032:1), which hold no secret.
var DefaultLayerLimits = LayerLimits{MaxExpanded: 64 << 30, MaxRatio: 1000, RatioFloor: 1 << 30}

func (l LayerLimits) withDefaults() LayerLimits {
	d := DefaultLayerLimits
	if l.MaxExpanded <= 0 {
		l.MaxExpanded = d.MaxExpanded
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.RatioFloor <= 0 {
		l.RatioFloor = d.RatioFloor
	}
	return l
}

// layerCap ends a layer's decompressed stream, with one warning naming
// the layer and its digest, once it passes the limits. It ends the stream
// with io.EOF, so what was read so far is still scanned; the tar reader
// then finds the layer cut short, which walkTar does not report again.
type layerCap struct {
	r      io.Reader
	stored *layerRead // bytes read of the layer as stored
	lim    LayerLimits
	l      *layerScan
	out    int64
	hit    bool
}

func (c *layerCap) Read(p []byte) (int, error) {
	if c.hit {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	c.out += int64(n)
	switch {
	case c.out > c.lim.MaxExpanded:
		c.trip(fmt.Sprintf("expands to more than %d bytes", c.lim.MaxExpanded))
	case c.out > c.lim.RatioFloor && c.out > c.lim.MaxRatio*max(c.stored.n, 1):
		c.trip(fmt.Sprintf("%d stored bytes expand to more than %d (ratio over %d:1)", c.stored.n, c.out, c.lim.MaxRatio))
	}
	if c.hit {
		return n, io.EOF
	}
	return n, err
}

func (c *layerCap) trip(why string) {
	c.hit = true
	digest := "(no digest)"
	if d := c.l.ref.digest; d.Hex != "" {
		digest = d.String()
	}
	c.l.warn(c.l.place, fmt.Sprintf("decompression bomb: layer %s %s; rest of layer skipped (whatever it deletes from lower layers is not known)", digest, why))
	c.l.w.opts.Stats.Skip(SkipLayerBomb)
}

// SkipLayerBomb counts layers cut short by LayerLimits.
const SkipLayerBomb = "layer decompression bomb"
