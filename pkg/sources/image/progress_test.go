package image

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// TestProgressTotals checks that the layers and their stored sizes are
// known once the manifests are read, before any file reaches the
// detector, and that what is done adds up to them at the end, for an OCI
// layout (gzipped layers, sizes from the manifest) and a docker save
// (plain tars, sizes from the archive).
func TestProgressTotals(t *testing.T) {
	img := fixtureImage(t)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	layout, blobs := layoutOf(t, img)
	var stored int64
	for _, b := range blobs {
		info, err := os.Stat(b)
		if err != nil {
			t.Fatal(err)
		}
		stored += info.Size()
	}
	save := filepath.Join(t.TempDir(), "app.tar")
	writeDockerTarball(t, save, "app:1", img)
	for _, tc := range []struct {
		input string
		bytes int64 // 0: only check that it is known
	}{{layout, stored}, {save, 0}} {
		w := New(Options{Input: tc.input, Stats: sources.NewStats()})
		if n, _ := w.Total(); n != 0 {
			t.Fatalf("%s: total %d before the walk", tc.input, n)
		}
		var seenItems, seenBytes atomic.Int64
		err := w.Walk(context.Background(), func(sources.Chunk) error {
			items, bytes := w.Total()
			seenItems.CompareAndSwap(0, items)
			seenBytes.CompareAndSwap(0, bytes)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		items, bytes := w.Total()
		if seenItems.Load() != int64(len(layers)) || items != int64(len(layers)) {
			t.Errorf("%s: %d layers while scanning, %d after; want %d", tc.input, seenItems.Load(), items, len(layers))
		}
		if seenBytes.Load() == 0 || seenBytes.Load() != bytes || (tc.bytes != 0 && bytes != tc.bytes) {
			t.Errorf("%s: %d bytes while scanning, %d after; want %d", tc.input, seenBytes.Load(), bytes, tc.bytes)
		}
		if di, db := w.Done(); di != items || db != bytes {
			t.Errorf("%s: done %d layers %d bytes of %d, %d", tc.input, di, db, items, bytes)
		}
	}
}
