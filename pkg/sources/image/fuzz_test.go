package image

import (
	"bytes"
	"context"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// FuzzWalkTar feeds arbitrary bytes to the layer reader as a layer stream:
// whiteouts, opaque folders, hostile names and broken headers must never
// panic, and the reader must return no error of its own.
func FuzzWalkTar(f *testing.F) {
	f.Add(tarBytes(f, file{name: "etc/.wh..wh..opq"}, file{name: "etc/.wh.passwd"}, file{name: "../../x", data: "y"}))
	f.Add(tarBytes(f, dir("app/"), file{name: "app/a.zip", data: string(zipBytes(f, file{name: "k", data: tokLive}))}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		w := New(Options{Input: "fuzz", Workers: 1})
		pool := newScanPool(context.Background(), 1, func(sources.Chunk) error { return nil })
		defer pool.close()
		view := newUpperView()
		view.add(func() *layerChanges { c := newLayerChanges(view); c.whiteout("etc"); return c }(), 1)
		l := &layerScan{w: w, t: &target{}, origin: &sources.ImageOrigin{}, place: "fuzz", view: view, pool: pool,
			touched: newLayerChanges(view), hidden: map[hide]*sources.ImageOrigin{}}
		if _, err := l.walkTar(context.Background(), bytes.NewReader(data)); err != nil {
			t.Fatalf("walkTar: %v", err)
		}
		if err := pool.wait(); err != nil {
			t.Fatalf("scan: %v", err)
		}
	})
}
