package classify

import (
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// FuzzChunk feeds hostile content to every extractor and the whole
// classifier: no panic, and every span stays inside the chunk.
func FuzzChunk(f *testing.F) {
	for _, s := range fixtureProject {
		f.Add(s)
	}
	f.Add("a: &x [*x, *x]\nb: *x\n")
	f.Add(`{"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`)
	f.Add("ENV \"\nARG =\n}}}\n[[[\n")
	c, err := New(mustReferences(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	paths := []string{"a.yaml", "a.json", "a.toml", ".env", "a.properties", "a.tf", "Dockerfile", "a.ini", "main.go", ".gitlab-ci.yml"}
	f.Fuzz(func(t *testing.T, s string) {
		data := []byte(s)
		for _, p := range paths {
			leaves, _ := Extract(FormatOf(p), data)
			for _, l := range leaves {
				if l.Start < 0 || l.End > len(data) || l.Start > l.End {
					t.Fatalf("%s: leaf span %d..%d outside %d bytes", p, l.Start, l.End, len(data))
				}
			}
			res := c.Chunk(sources.Chunk{Data: data, Origin: &sources.Origin{Source: sources.KindFile, Path: p}, StartLine: 1}, nil)
			for _, fd := range res.Findings {
				if fd.Offset < 0 || fd.Offset > int64(len(data)) || fd.Line < 1 {
					t.Fatalf("%s: finding at offset %d line %d", p, fd.Offset, fd.Line)
				}
			}
		}
	})
}
