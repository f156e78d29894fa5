package git

import (
	"sync/atomic"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// TestProgressTotals checks that the total is known while the detector
// runs (so a progress line can show a percentage and an ETA), and that
// what is done adds up to it once Read returns, however objects are read.
func TestProgressTotals(t *testing.T) {
	for _, mode := range []string{"loose", "packed", "objects"} {
		t.Run(mode, func(t *testing.T) {
			f := churnRepo(t, 2)
			if mode == "packed" {
				f.repack()
			}
			h, err := Open(Options{Path: f.dir, Stats: sources.NewStats()})
			if err != nil {
				t.Fatal(err)
			}
			h.forceObjects = mode == "objects"
			if n, _ := h.Total(); n != 0 {
				t.Fatalf("total %d before Read", n)
			}
			var during atomic.Int64
			find := testFinder(t)
			b, err := h.Read(t.Context(), func(c sources.Chunk) []Match {
				if n, _ := h.Total(); n > 0 {
					during.CompareAndSwap(0, n)
				}
				return find(c)
			})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			total, _ := h.Total()
			done, scanned := h.Done()
			if during.Load() == 0 || during.Load() != total {
				t.Errorf("total while scanning %d, after %d: not known before the detector ran", during.Load(), total)
			}
			if done != total || total < int64(b.Commits) {
				t.Errorf("done %d of %d objects (%d commits)", done, total, b.Commits)
			}
			if _, want := h.opts.Stats.Progress(); scanned != want || scanned == 0 {
				t.Errorf("done bytes %d, want the bytes scanned (%d)", scanned, want)
			}
		})
	}
}
