package classify

import (
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// BenchmarkChunk measures the classifier on the fixture project's files
// (parsing, reference patterns, literal checks) without detection.
func BenchmarkChunk(b *testing.B) {
	c, err := New(mustReferences(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	var chunks []sources.Chunk
	size := 0
	for p, s := range fixtureProject {
		chunks = append(chunks, sources.Chunk{Data: []byte(s), Origin: &sources.Origin{Source: sources.KindFile, Path: p}, StartLine: 1})
		size += len(s)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, ch := range chunks {
			c.Chunk(ch, nil)
		}
	}
}
