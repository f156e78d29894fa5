package sources

import (
	"archive/zip"
	"bytes"
	"testing"
)

// FuzzReadContent feeds arbitrary bytes to the archive reader: it must
// not panic, must stay within its limits, and must return no error of
// its own (damage is a warning).
func FuzzReadContent(f *testing.F) {
	f.Add(zipOf(f, zip.Deflate, member{"a.txt", []byte("hello " + tokenA)}))
	f.Add(zipOf(f, zip.Store, member{"a/", nil}, member{"a/b.txt", []byte("PK\x07\x08 tricky")}))
	f.Add(sizedZipOf(f, zip.Deflate, member{"x.txt", bytes.Repeat([]byte("x"), 5000)}))
	f.Add(gzipOf(tarOf(f, member{"t.txt", []byte(tokenB)}, member{"../up.txt", []byte("up")})))
	f.Add([]byte("plain text " + tokenA))
	f.Add(append([]byte("MZ\x00\x00"), zipOf(f, zip.Deflate, member{"s.txt", []byte(tokenA)})...))
	f.Add(append([]byte("#!/bin/sh\n"), sizedZipOf(f, zip.Store, member{"s.txt", []byte(tokenB)})...))
	f.Fuzz(func(t *testing.T, data []byte) {
		st := NewStats()
		var total int
		err := ReadContentLimited(bytes.NewReader(data), &Origin{Source: KindFile, Path: "fuzz"}, int64(len(data)), Limits{},
			ArchiveLimits{MaxExpanded: 8 << 20, MaxEntries: 1000}, st, func(c Chunk) error {
				total += len(c.Data)
				return nil
			})
		if err != nil {
			t.Fatalf("error from the reader itself: %v", err)
		}
		if total > 64<<20 {
			t.Fatalf("emitted %d bytes from %d input bytes with an 8 MiB budget", total, len(data))
		}
	})
}
