package sources

import (
	"bytes"
	"testing"
)

// FuzzReadChunks checks that any input, cut into small chunks, is covered
// from start to end with consistent offsets and line numbers.
func FuzzReadChunks(f *testing.F) {
	f.Add([]byte("a\nb\nc"), 64)
	f.Add([]byte{0xFF, 0xFE, 'a', 0, '\n', 0}, 16)
	f.Add(bytes.Repeat([]byte("xyz"), 100), 32)
	f.Fuzz(func(t *testing.T, data []byte, chunk int) {
		if chunk < 16 || chunk > 1<<16 {
			return
		}
		var end int64
		err := ReadChunks(bytes.NewReader(data), &Origin{}, int64(len(data)), Limits{ChunkSize: chunk}, NewStats(), func(c Chunk) error {
			if c.StartOffset > end {
				t.Fatalf("gap before offset %d (covered to %d)", c.StartOffset, end)
			}
			if c.StartOffset >= 0 && c.StartOffset+int64(len(c.Data)) <= int64(len(data)) &&
				!bytes.Equal(c.Data, data[c.StartOffset:c.StartOffset+int64(len(c.Data))]) && c.StartOffset != 0 {
				t.Fatalf("chunk at %d does not match the input", c.StartOffset)
			}
			end = c.StartOffset + int64(len(c.Data))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
