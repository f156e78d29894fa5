package sources

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// readWith reads r through ReadContent and returns a description of each
// chunk it emitted, its stats, and the chunks' own bytes.
func readWith(t *testing.T, r interface {
	Read([]byte) (int, error)
}, size int, lim Limits) ([]string, Snapshot, [][]byte) {
	t.Helper()
	st := NewStats()
	var got []string
	var raw [][]byte
	err := ReadContent(r, &Origin{Source: KindFile, Path: "f"}, int64(size), lim, st, func(c Chunk) error {
		got = append(got, fmt.Sprintf("%s@%d:%d %q", c.Origin.Path, c.StartLine, c.StartOffset, c.Data))
		raw = append(raw, c.Data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, st.Snapshot(), raw
}

// Content read whole is scanned where it lies, and ReadContent hands on
// exactly what it hands on from a plain reader of the same bytes: chunks,
// positions and stats, for text, binary, UTF-16, keystores, archives, a
// zip behind a stub and input larger than a chunk.
func TestWholeReadsLikeAReader(t *testing.T) {
	p12, err := os.ReadFile("testdata/keystores/throwaway.p12")
	if err != nil {
		t.Fatal(err)
	}
	utf16le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune("TOKEN=" + tokenA + "\n")) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	inputs := map[string][]byte{
		"text":     []byte("line one\nGITHUB_TOKEN=" + tokenA + "\n"),
		"empty":    {},
		"binary":   append([]byte("\x7fELF\x00\x00\x00"), bytes.Repeat([]byte{0, 1, 2}, 400)...),
		"utf-16":   utf16le,
		"keystore": p12,
		"gzip":     gzipOf([]byte("auth " + tokenB + "\n")),
		"tar":      tarOf(t, member{"a/.env", []byte("T=" + tokenA + "\n")}),
		"zip":      zipOf(t, 8, member{"b.env", []byte("T=" + tokenB + "\n")}),
		"sfx":      sfxOf(t, append([]byte("MZ"), bytes.Repeat([]byte{0x90}, 300)...), true, ""),
		"big":      []byte(strings.Repeat("x = 1 # padding line\n", 4000) + "T=" + tokenA + "\n"),
	}
	lim := Limits{Reuse: true, ChunkSize: 64 << 10}
	for name, data := range inputs {
		want, wantStats, _ := readWith(t, bytes.NewReader(data), len(data), lim)
		got, gotStats, raw := readWith(t, NewWhole(data), len(data), lim)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: as a Whole %v, as a reader %v", name, got, want)
		}
		if !reflect.DeepEqual(gotStats, wantStats) {
			t.Errorf("%s: stats as a Whole %+v, as a reader %+v", name, gotStats, wantStats)
		}
		inPlace := len(raw) == 1 && len(data) > 0 && &raw[0][0] == &data[0]
		if wantInPlace := name == "text"; inPlace != wantInPlace {
			t.Errorf("%s: scanned in place %v, want %v", name, inPlace, wantInPlace)
		}
	}
	// Without Reuse a chunk may be kept, so it is never the caller's bytes.
	data := inputs["text"]
	if _, _, raw := readWith(t, NewWhole(data), len(data), Limits{}); len(raw) != 1 || &raw[0][0] == &data[0] {
		t.Error("a chunk that may be kept aliases the caller's buffer")
	}
}

// FuzzWhole: on arbitrary bytes, ReadContent emits the same from a Whole
// as from a plain reader.
func FuzzWhole(f *testing.F) {
	f.Add([]byte("plain text " + tokenA))
	f.Add(gzipOf([]byte("auth " + tokenB + "\n")))
	f.Add([]byte{0xff, 0xfe, 'a', 0})
	f.Add(append([]byte("MZ\x00\x00"), bytes.Repeat([]byte("x"), 100)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{Reuse: true, ChunkSize: 4 << 10}
		want, wantStats, _ := readWith(t, bytes.NewReader(data), len(data), lim)
		got, gotStats, _ := readWith(t, NewWhole(data), len(data), lim)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotStats, wantStats) {
			t.Fatalf("as a Whole %v %+v, as a reader %v %+v", got, gotStats, want, wantStats)
		}
	})
}
