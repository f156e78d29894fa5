package image

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// TestLayerDecompressionBomb: a layer whose gzip inflates far past the
// limits (here, tens of MB of zeros) is cut short with one warning that
// names the layer's digest; the layers below and above it are scanned.
func TestLayerDecompressionBomb(t *testing.T) {
	below, inside, above := ghToken("below the bomb"), ghToken("inside the bomb"), ghToken("above the bomb")
	zeros := strings.Repeat("\x00", 48<<20)
	bomb := layerOf(t, file{name: "var/swap", data: zeros}, file{name: "etc/after.env", data: "TOKEN=" + inside + "\n"})
	img, err := mutate.Append(empty.Image,
		mutate.Addendum{Layer: layerOf(t, file{name: "below.env", data: "TOKEN=" + below + "\n"})},
		mutate.Addendum{Layer: bomb},
		mutate.Addendum{Layer: layerOf(t, file{name: "above.env", data: "TOKEN=" + above + "\n"})},
	)
	if err != nil {
		t.Fatal(err)
	}
	p := writeLayout(t, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img}))
	digest, err := bomb.Digest()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		lim  LayerLimits
	}{
		{"size", LayerLimits{MaxExpanded: 16 << 20}},
		{"ratio", LayerLimits{MaxRatio: 100, RatioFloor: 8 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustScan(t, Options{Input: p, LayerLimits: tc.lim})
			if len(r.holding(below)) != 1 || len(r.holding(above)) != 1 {
				t.Errorf("the layers around the bomb were not scanned")
			}
			if len(r.holding(inside)) != 0 {
				t.Errorf("the bomb layer was read past its limit")
			}
			bombs := 0
			for _, w := range r.snap.Warnings {
				if strings.Contains(w.Message, "decompression bomb") {
					bombs++
					if !strings.Contains(w.Message, digest.String()) || !strings.Contains(w.Place, "layer 1") {
						t.Errorf("warning does not name the layer and its digest %s: %+v", digest, w)
					}
				}
			}
			if bombs != 1 || len(r.snap.Warnings) != 1 {
				t.Errorf("want one bomb warning and no other: %+v", r.snap.Warnings)
			}
			if r.snap.Skipped[SkipLayerBomb] != 1 {
				t.Errorf("skips %v", r.snap.Skipped)
			}
		})
	}
	// Within the default limits the same layer is read to its end.
	r := mustScan(t, Options{Input: p})
	if len(r.holding(inside)) != 1 || len(r.snap.Warnings) != 0 {
		t.Errorf("default limits: inside seen %d times, warnings %+v", len(r.holding(inside)), r.snap.Warnings)
	}
}
