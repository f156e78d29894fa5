package sources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
)

func collect(t *testing.T, data []byte, lim Limits) ([]Chunk, *Stats) {
	t.Helper()
	st := NewStats()
	var chunks []Chunk
	err := ReadChunks(bytes.NewReader(data), &Origin{Path: "f"}, int64(len(data)), lim, st, func(c Chunk) error {
		chunks = append(chunks, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return chunks, st
}

// Every line of a large input must appear whole in some chunk, at the
// line number and offset the chunk claims.
func TestChunksCoverEveryLineWithCorrectPositions(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 5000; i++ {
		fmt.Fprintf(&b, "line %05d %s\n", i, strings.Repeat("z", i%37))
	}
	data := []byte(b.String())
	chunks, st := collect(t, data, Limits{ChunkSize: 4096, Overlap: 256})
	if len(chunks) < 10 {
		t.Fatalf("expected many chunks, got %d", len(chunks))
	}
	seen := map[string]bool{}
	for _, c := range chunks {
		if !bytes.Equal(data[c.StartOffset:c.StartOffset+int64(len(c.Data))], c.Data) {
			t.Fatalf("chunk at offset %d does not match the input", c.StartOffset)
		}
		if want := 1 + bytes.Count(data[:c.StartOffset], []byte{'\n'}); c.StartLine != want {
			t.Fatalf("chunk at offset %d: StartLine %d, want %d", c.StartOffset, c.StartLine, want)
		}
		for _, l := range strings.Split(string(c.Data), "\n") {
			seen[l] = true
		}
	}
	for i, l := range strings.Split(b.String(), "\n") {
		if l != "" && !seen[l] {
			t.Fatalf("line %d never seen whole: %q", i+1, l)
		}
	}
	if s := st.Snapshot(); s.Items != 1 || s.Bytes != int64(len(data)) {
		t.Errorf("stats = %+v", s)
	}
}

// A single huge line is cut anywhere, with overlap, and memory stays at
// one chunk.
func TestSingleLineInputIsCutWithOverlap(t *testing.T) {
	data := bytes.Repeat([]byte("abcdefghij"), 10000)
	chunks, _ := collect(t, data, Limits{ChunkSize: 8192, Overlap: 512})
	for i := 1; i < len(chunks); i++ {
		prevEnd := chunks[i-1].StartOffset + int64(len(chunks[i-1].Data))
		if chunks[i].StartOffset > prevEnd-512 {
			t.Fatalf("chunk %d starts at %d, previous ends at %d: overlap lost", i, chunks[i].StartOffset, prevEnd)
		}
		if len(chunks[i].Data) > 8192+512 {
			t.Fatalf("chunk %d holds %d bytes", i, len(chunks[i].Data))
		}
	}
	last := chunks[len(chunks)-1]
	if last.StartOffset+int64(len(last.Data)) != int64(len(data)) {
		t.Fatalf("input not covered to the end")
	}
}

func TestBinaryAndTooLargeAreSkipped(t *testing.T) {
	chunks, st := collect(t, append([]byte("MZ\x00\x01\x02"), bytes.Repeat([]byte{0}, 100)...), Limits{})
	if len(chunks) != 0 || st.Snapshot().Skipped[SkipBinary] != 1 {
		t.Errorf("binary input: %d chunks, skipped %v", len(chunks), st.Snapshot().Skipped)
	}
	chunks, st = collect(t, bytes.Repeat([]byte("a"), 2000), Limits{MaxSize: 1000})
	s := st.Snapshot()
	if len(chunks) != 0 || s.Skipped[SkipTooLarge] != 1 || len(s.Warnings) != 1 {
		t.Errorf("large input: %d chunks, %+v", len(chunks), s)
	}
}

func TestUTF16WithBOMIsDecoded(t *testing.T) {
	u := utf16.Encode([]rune("password=hunter2\n"))
	data := []byte{0xFF, 0xFE}
	for _, r := range u {
		data = append(data, byte(r), byte(r>>8))
	}
	chunks, _ := collect(t, data, Limits{})
	if len(chunks) != 1 || string(chunks[0].Data) != "password=hunter2\n" {
		t.Fatalf("got %d chunks", len(chunks))
	}
}

func TestInvalidUTF8IsScannedAsText(t *testing.T) {
	data := []byte("key=\xff\xfe\xfd secret \xc3\x28 more\n")
	chunks, _ := collect(t, data, Limits{})
	if len(chunks) != 1 || !bytes.Equal(chunks[0].Data, data) {
		t.Fatalf("invalid UTF-8 not passed through: %d chunks", len(chunks))
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("input/output error")
	}
	n := copy(p, bytes.Repeat([]byte("x\n"), len(p)/2)[:min(len(p), f.n)])
	f.n -= n
	return n, nil
}

func TestReadErrorIsAWarningNotAFailure(t *testing.T) {
	st := NewStats()
	var got int
	err := ReadChunks(&failingReader{n: 100}, &Origin{Path: "bad"}, -1, Limits{}, st, func(c Chunk) error {
		got += len(c.Data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := st.Snapshot()
	if got != 100 || len(s.Warnings) != 1 || s.Warnings[0].Place != "bad" {
		t.Fatalf("read %d bytes, warnings %+v", got, s.Warnings)
	}
}

func TestEmitErrorStopsReading(t *testing.T) {
	stop := errors.New("stop")
	err := ReadChunks(io.LimitReader(strings.NewReader(strings.Repeat("a\n", 1<<20)), 1<<21), &Origin{}, -1, Limits{ChunkSize: 4096}, NewStats(), func(Chunk) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
}

// With Reuse, chunks are read into pooled buffers; what emit sees while it
// runs must be exactly what it sees without reuse, for inputs that fit
// one small buffer, one chunk, and several chunks, read one after another
// so that later inputs land in buffers earlier ones used.
func TestReuseEmitsTheSameChunks(t *testing.T) {
	lim := Limits{ChunkSize: 96 << 10, Overlap: 1 << 10}
	var inputs [][]byte
	for i, size := range []int{10, smallBuffer - 1, smallBuffer + 7, 90 << 10, 400 << 10, 33, 200 << 10} {
		var b strings.Builder
		for n := 0; b.Len() < size; n++ {
			fmt.Fprintf(&b, "input %d line %d %s\n", i, n, strings.Repeat("q", n%29))
		}
		inputs = append(inputs, []byte(b.String()[:size]))
	}
	read := func(l Limits, data []byte) []Chunk {
		var out []Chunk
		err := ReadChunks(bytes.NewReader(data), &Origin{Path: "f"}, int64(len(data)), l, NewStats(), func(c Chunk) error {
			c.Data = bytes.Clone(c.Data) // emit may not keep Data with Reuse
			out = append(out, c)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	reuse := lim
	reuse.Reuse = true
	for round := 0; round < 2; round++ {
		for i, data := range inputs {
			want, got := read(lim, data), read(reuse, data)
			if len(got) != len(want) {
				t.Fatalf("input %d: %d chunks with reuse, %d without", i, len(got), len(want))
			}
			for k := range want {
				if !bytes.Equal(got[k].Data, want[k].Data) || got[k].StartLine != want[k].StartLine || got[k].StartOffset != want[k].StartOffset {
					t.Fatalf("input %d chunk %d differs with reuse", i, k)
				}
			}
		}
	}
}

// Text may hold tabs, line breaks, form feeds and a few escape bytes
// (coloured logs); more than one control byte in ten, or any NUL, is binary.
func TestIsBinaryThreshold(t *testing.T) {
	text := bytes.Repeat([]byte("\tkey = value\r\n\f"), 200)
	if IsBinary(text) {
		t.Fatal("text with tabs, CRLF and form feeds taken for binary")
	}
	mix := func(every int) []byte {
		b := bytes.Repeat([]byte("abcdefghij"), 300)
		for i := 0; i < len(b); i += every {
			b[i] = 0x1b
		}
		return b
	}
	if IsBinary(mix(11)) {
		t.Error("one escape byte in eleven taken for binary")
	}
	if !IsBinary(mix(9)) {
		t.Error("one control byte in nine not taken for binary")
	}
	if !IsBinary(append([]byte("plain text"), 0, 'x')) {
		t.Error("a NUL byte not taken for binary")
	}
	if IsBinary(nil) {
		t.Error("empty input taken for binary")
	}
}
