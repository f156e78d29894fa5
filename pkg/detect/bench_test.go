package detect

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

// benchCorpus is real source code: the Go standard library that ships with
// the toolchain running the benchmark (up to 64 MiB, split per file as a
// walker would hand it over).
func benchCorpus(b *testing.B) [][]byte {
	b.Helper()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skip("go env GOROOT: ", err)
	}
	root := filepath.Join(strings.TrimSpace(string(goroot)), "src")
	var files [][]byte
	total := 0
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || total > 64<<20 {
			return nil
		}
		if !strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, ".s") && !strings.HasSuffix(p, ".json") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > sources.DefaultChunkSize {
			return nil
		}
		files = append(files, data)
		total += len(data)
		return nil
	})
	if total == 0 {
		b.Skip("no Go sources under GOROOT")
	}
	return files
}

func corpusSize(files [][]byte) int64 {
	var size int64
	for _, f := range files {
		size += int64(len(f))
	}
	return size
}

func benchEngine(b *testing.B) *Engine {
	b.Helper()
	all, err := LoadRules(rules.FS)
	if err != nil {
		b.Fatal(err)
	}
	e, err := NewEngine(all, Options{Decode: true})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkEngineSource scans the corpus with the full rule set on every
// core (b.RunParallel); MB/s is the engine's throughput.
func BenchmarkEngineSource(b *testing.B) {
	files := benchCorpus(b)
	e := benchEngine(b)
	size := corpusSize(files)
	origin := &sources.Origin{Path: "bench"}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var next atomic.Int64
		var found atomic.Int64
		done := make(chan struct{})
		workers := runtime.GOMAXPROCS(0)
		for w := 0; w < workers; w++ {
			go func() {
				for {
					k := int(next.Add(1)) - 1
					if k >= len(files) {
						done <- struct{}{}
						return
					}
					found.Add(int64(len(e.Scan(sources.Chunk{Data: files[k], Origin: origin, StartLine: 1}))))
				}
			}()
		}
		for w := 0; w < workers; w++ {
			<-done
		}
		b.ReportMetric(float64(found.Load()), "findings")
	}
}

// BenchmarkKeywordSet runs the engine's keyword pass alone over the
// corpus on one core, and reports how long building the automaton takes.
func BenchmarkKeywordSet(b *testing.B) {
	files := benchCorpus(b)
	e := benchEngine(b)
	size := corpusSize(files)
	b.Run("build", func(b *testing.B) {
		var words []string
		for _, r := range e.rules {
			words = append(words, r.Keywords...)
		}
		for i := 0; i < b.N; i++ {
			NewKeywordSet(words)
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			n := 0
			for _, f := range files {
				e.keywords.Each(f, func(int, int, int) bool { n++; return true })
			}
		}
	})
}
