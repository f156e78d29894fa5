package git

import (
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// BenchmarkHistory reads the full history of a generated repository
// (12 files edited over 150 commits, repacked with deltas) and attributes
// what it finds. MB/s is history throughput: the bytes of every blob
// version per second, which is what scanning each version whole would
// read.
func BenchmarkHistory(b *testing.B) {
	f := churnRepoSized(b, 7, 12, 400, 150)
	find := testFinder(b)
	var total int64
	st, err := openStore(f.dir+"/.git/objects", sources.NewStats())
	if err != nil {
		b.Fatal(err)
	}
	var z inflater
	for _, p := range st.packs {
		for i := range p.ent {
			if kind, data, err := st.readObject(p.idx.hash(i), &z, 0); err == nil && kind == objBlob {
				total += int64(len(data))
			}
		}
	}
	st.close()
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		found, blobs, stats := scan(b, Options{Path: f.dir}, find)
		b.ReportMetric(float64(len(found)), "findings")
		b.ReportMetric(float64(blobs.Commits), "commits")
		b.ReportMetric(float64(stats.Snapshot().Bytes)/float64(total), "read-fraction")
	}
}
