package detect

import (
	"bytes"
	"math/rand"
	"testing"
)

// appendLower must agree with a byte-at-a-time lowering on every byte
// value at every position, since its word trick is easy to get wrong at
// the edges ('@', '[', high bytes).
func TestAppendLowerMatchesByteLoop(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 17; pos++ {
			src := bytes.Repeat([]byte{'Q'}, 17)
			src[pos] = byte(c)
			got := appendLower([]byte("prefix"), src)
			want := []byte("prefix")
			for _, b := range src {
				want = append(want, asciiLowerByte(b))
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("byte %#x at %d: got %q, want %q", c, pos, got, want)
			}
		}
	}
	rng := rand.New(rand.NewSource(3))
	for round := 0; round < 2000; round++ {
		src := make([]byte, rng.Intn(70))
		rng.Read(src)
		var want []byte
		for _, b := range src {
			want = append(want, asciiLowerByte(b))
		}
		if got := appendLower(nil, src); !bytes.Equal(got, want) {
			t.Fatalf("random input %q: got %q, want %q", src, got, want)
		}
	}
}

func BenchmarkAppendLower(b *testing.B) {
	src := bytes.Repeat([]byte("static const char *API_Key = \"Hello, World\";\n"), 2000)
	buf := make([]byte, 0, len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		buf = appendLower(buf[:0], src)
	}
}
