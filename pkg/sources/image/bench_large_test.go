package image

import (
	"context"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

// largeCopiesLayout is an image whose bottom layer holds a few large
// text files (generated bundles, data dumps) and whose upper layers carry
// them again unchanged, as a `chmod -R` or `chown -R` step does.
func largeCopiesLayout(tb testing.TB, files, mib, copies int) string {
	tb.Helper()
	var fs []file
	for i := range files {
		var b strings.Builder
		for line := 0; b.Len() < mib<<20; line++ {
			fmt.Fprintf(&b, "bundle %d line %d: const value_%d = \"%s\";\n", i, line, line, strings.Repeat("x", line%40))
		}
		if i == 0 {
			b.WriteString("GITHUB_TOKEN=" + ghToken("large copies") + "\n")
		}
		fs = append(fs, file{name: fmt.Sprintf("app/bundle-%d.js", i), data: b.String()})
	}
	var adds []mutate.Addendum
	for i := 0; i <= copies; i++ {
		adds = append(adds, mutate.Addendum{Layer: layerOf(tb, fs...), History: v1.History{CreatedBy: fmt.Sprintf("step %d", i)}})
	}
	img, err := mutate.Append(empty.Image, adds...)
	if err != nil {
		tb.Fatal(err)
	}
	return writeLayout(tb, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img}))
}

// BenchmarkLargeCopies walks largeCopiesLayout (4 files of 4 MiB, in the
// bottom layer and three more) through the real detector. scanned-MB is
// what reached the detector.
func BenchmarkLargeCopies(b *testing.B) {
	in := largeCopiesLayout(b, 4, 4, 3)
	all, err := detect.LoadRules(rules.FS)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := detect.NewEngine(all, detect.Options{Decode: true})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		st := sources.NewStats()
		err := New(Options{Input: in, Stats: st}).Walk(context.Background(), func(c sources.Chunk) error {
			eng.Scan(c)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Snapshot().Bytes)/1e6, "scanned-MB")
	}
}
