package sources

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// bombSize is what the zip bombs expand to; deflate tops out near
// 1032:1, so they are about 128 KiB.
const bombSize = 128 << 20

// deflatedZeros compresses bombSize zero bytes, once for all tests.
var deflatedZeros = sync.OnceValue(func() []byte {
	var c bytes.Buffer
	fw, _ := flate.NewWriter(&c, flate.BestCompression)
	io.Copy(fw, zeros(bombSize))
	fw.Close()
	return c.Bytes()
})

func zipWithRaw(t *testing.T, name string, body []byte, usize uint64, crc uint32, descriptor bool, after ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc, CompressedSize64: uint64(len(body)), UncompressedSize64: usize}
	if descriptor {
		fh.Flags |= 0x8
	}
	w, err := zw.CreateRaw(fh)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	for _, m := range after {
		w, _ := zw.Create(m.name)
		w.Write(m.data)
	}
	zw.Close()
	return b.Bytes()
}

func TestZipBombDeclaredInHeader(t *testing.T) {
	data := zipWithRaw(t, "zeros.bin", deflatedZeros(), bombSize, 0, false, member{"after.txt", []byte(tokenA)})
	start := time.Now()
	e := expand(t, "bomb.zip", data, ArchiveLimits{})
	if len(data) > 1<<20 {
		t.Fatalf("fixture is %d bytes, want a small bomb", len(data))
	}
	if !e.warned("bomb.zip!/zeros.bin", "archive bomb") || e.snap.Skipped[SkipArchiveBomb] != 1 {
		t.Errorf("bomb not reported: %+v %v", e.snap.Warnings, e.snap.Skipped)
	}
	if _, ok := e.content["bomb.zip!/after.txt"]; ok {
		t.Errorf("members after a bomb should be skipped")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v: the bomb was inflated", time.Since(start))
	}
}

// A member with a data descriptor declares nothing: the bomb shows only
// while inflating, by its ratio.
func TestZipBombStreamed(t *testing.T) {
	data := zipWithRaw(t, "zeros.bin", deflatedZeros(), 0, 0, true, member{"after.txt", []byte(tokenA)})
	e := expand(t, "bomb.zip", data, ArchiveLimits{})
	if !e.warned("bomb.zip!/zeros.bin", "ratio over 1000:1") {
		t.Errorf("streamed bomb not reported: %+v", e.snap.Warnings)
	}
	// Text compresses less than zeros; a small total budget stops it.
	text := bytes.Repeat([]byte("all work and no play makes jack a dull boy\n"), 200_000)
	data = zipOf(t, zip.Deflate, member{"jack.txt", text}, member{"after.txt", []byte(tokenA)})
	e = expand(t, "jack.zip", data, ArchiveLimits{MaxExpanded: 2 << 20})
	if !e.warned("jack.zip!/jack.txt", "expands to more than 2097152 bytes") {
		t.Errorf("budget not enforced: %+v", e.snap.Warnings)
	}
	if got := len(e.content["jack.zip!/jack.txt"]); got == 0 || got > 3<<20 {
		t.Errorf("scanned %d bytes of the text bomb, want its first ~2 MiB", got)
	}
}

func TestGzipBomb(t *testing.T) {
	text := bytes.Repeat([]byte("a"), 48<<20)
	e := expand(t, "a.txt.gz", gzipOf(text), ArchiveLimits{})
	if !e.warned("a.txt.gz", "archive bomb") {
		t.Errorf("gzip bomb not reported: %+v", e.snap.Warnings)
	}
}

func TestArchiveEntryAndDepthLimits(t *testing.T) {
	var many []member
	for i := range 50 {
		many = append(many, member{fmt.Sprintf("f%02d.txt", i), []byte("x\n")})
	}
	e := expand(t, "many.tar", tarOf(t, many...), ArchiveLimits{MaxEntries: 10})
	if len(e.content) != 10 || !e.warned("many.tar", "more than 10 members") {
		t.Errorf("entry limit: %d scanned, warnings %+v", len(e.content), e.snap.Warnings)
	}

	// A zip inside a zip inside … eight deep: the innermost levels are
	// skipped, with a warning naming the one not opened.
	data := zipOf(t, zip.Deflate, member{"secret.txt", []byte(tokenA)})
	name := "secret.txt"
	for range 7 {
		data = zipOf(t, zip.Deflate, member{"n.zip", data})
		name = "n.zip!/" + name
	}
	e = expand(t, "n.zip", data, ArchiveLimits{})
	if len(e.content) != 0 || e.snap.Skipped[SkipArchiveDepth] != 1 {
		t.Errorf("depth limit: content %v skipped %v", e.paths(), e.snap.Skipped)
	}
	deepest := "n.zip" + strings.Repeat("!/n.zip", 6)
	if !e.warned(deepest, "more than 6 levels") {
		t.Errorf("depth warning does not name %s: %+v", deepest, e.snap.Warnings)
	}
	if e := expand(t, "n.zip", data, ArchiveLimits{MaxDepth: 8}); !strings.Contains(e.content["n.zip!/"+name], tokenA) {
		t.Errorf("with room, the innermost secret is read: %v", e.paths())
	}
}

func TestTarAbsurdSize(t *testing.T) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "ok.txt", Mode: 0o644, Size: int64(len(tokenA)), Typeflag: tar.TypeReg})
	tw.Write([]byte(tokenA))
	tw.WriteHeader(&tar.Header{Name: "huge.txt", Mode: 0o644, Size: 1 << 50, Typeflag: tar.TypeReg})
	tw.Write([]byte("short"))
	tw.Flush()
	e := expand(t, "absurd.tar", b.Bytes(), ArchiveLimits{})
	if !strings.Contains(e.content["absurd.tar!/ok.txt"], tokenA) {
		t.Errorf("member before the absurd one not scanned: %v", e.paths())
	}
	if len(e.snap.Warnings) == 0 {
		t.Errorf("no warning for a member claiming 1 PiB")
	}
}
