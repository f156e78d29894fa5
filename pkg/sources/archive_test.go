package sources

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

const (
	tokenA = "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"
	tokenB = "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"
)

type member struct {
	name string
	data []byte
}

func tarOf(t testing.TB, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.data)
	}
	tw.Close()
	return b.Bytes()
}

func gzipOf(data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// zipOf writes members the way Go's archive/zip does: sizes in a data
// descriptor after each member, deflated or stored.
func zipOf(t testing.TB, method uint16, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	zw.Close()
	return b.Bytes()
}

// sizedZipOf writes sizes in each local header (no data descriptor), as
// jar tools and Python do.
func sizedZipOf(t testing.TB, method uint16, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range members {
		body := m.data
		if method == zip.Deflate && !strings.HasSuffix(m.name, "/") {
			var c bytes.Buffer
			fw, _ := flate.NewWriter(&c, flate.BestCompression)
			fw.Write(m.data)
			fw.Close()
			body = c.Bytes()
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: m.name, Method: method, CRC32: crc32.ChecksumIEEE(m.data),
			CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(m.data))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	zw.Close()
	return b.Bytes()
}

type expansion struct {
	content map[string]string
	snap    Snapshot
}

func expand(t *testing.T, name string, data []byte, al ArchiveLimits) expansion {
	t.Helper()
	st := NewStats()
	got := map[string]string{}
	origin := &Origin{Source: KindFile, Path: name}
	err := ReadContentLimited(bytes.NewReader(data), origin, int64(len(data)), Limits{}, al, st, func(c Chunk) error {
		got[c.Origin.Path] += string(c.Data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return expansion{content: got, snap: st.Snapshot()}
}

func (e expansion) paths() []string {
	var p []string
	for k := range e.content {
		p = append(p, k)
	}
	sort.Strings(p)
	return p
}

func (e expansion) warned(place, part string) bool {
	for _, w := range e.snap.Warnings {
		if w.Place == place && strings.Contains(w.Message, part) {
			return true
		}
	}
	return false
}

func TestReadContentNestedZipInTarGz(t *testing.T) {
	creds := zipOf(t, zip.Deflate, member{"config/application.yml", []byte("github:\n  token: " + tokenA + "\n")})
	jar := zipOf(t, zip.Store, member{"META-INF/MANIFEST.MF", []byte("Manifest-Version: 1.0\n")},
		member{"BOOT-INF/classes/app.properties", []byte("gh=" + tokenB + "\n")})
	bundle := gzipOf(tarOf(t,
		member{"./notes.txt", []byte("token " + tokenB + "\n")},
		member{"inner/creds.zip", creds},
		member{"lib/app.jar", jar},
	))
	e := expand(t, "opt/bundle.tar.gz", bundle, ArchiveLimits{})
	want := map[string]string{
		"opt/bundle.tar.gz!/notes.txt":                                    tokenB,
		"opt/bundle.tar.gz!/inner/creds.zip!/config/application.yml":      tokenA,
		"opt/bundle.tar.gz!/lib/app.jar!/BOOT-INF/classes/app.properties": tokenB,
		"opt/bundle.tar.gz!/lib/app.jar!/META-INF/MANIFEST.MF":            "Manifest-Version",
	}
	for p, secret := range want {
		if !strings.Contains(e.content[p], secret) {
			t.Errorf("%s: want content with %q, got %q", p, secret, e.content[p])
		}
	}
	if len(e.content) != len(want) {
		t.Errorf("paths = %v", e.paths())
	}
	if len(e.snap.Warnings) != 0 {
		t.Errorf("warnings: %+v", e.snap.Warnings)
	}
	if e.snap.Items != 4 {
		t.Errorf("items = %d, want 4 members", e.snap.Items)
	}
}

func TestReadContentZipLayouts(t *testing.T) {
	big := bytes.Repeat([]byte("line of text that is long enough to matter\n"), 5000)
	members := []member{
		{"a.txt", []byte("A=" + tokenA + "\n")},
		{"dir/", nil},
		{"big.txt", append(append([]byte{}, big...), []byte("B="+tokenB+"\n")...)},
		{"empty.txt", nil},
		// A stored member holding a fake descriptor signature must not end early.
		{"tricky.bin.txt", []byte("xxPK\x07\x08yyyy" + tokenB)},
		{"z.txt", []byte("Z=" + tokenA + "\n")},
	}
	for name, data := range map[string][]byte{
		"deflate+descriptor": zipOf(t, zip.Deflate, members...),
		"store+descriptor":   zipOf(t, zip.Store, members...),
		"deflate+sized":      sizedZipOf(t, zip.Deflate, members...),
		"store+sized":        sizedZipOf(t, zip.Store, members...),
	} {
		t.Run(name, func(t *testing.T) {
			e := expand(t, "x.zip", data, ArchiveLimits{})
			for p, secret := range map[string]string{"x.zip!/a.txt": tokenA, "x.zip!/big.txt": tokenB, "x.zip!/z.txt": tokenA, "x.zip!/tricky.bin.txt": tokenB} {
				if !strings.Contains(e.content[p], secret) {
					t.Errorf("%s: secret missing; paths %v", p, e.paths())
				}
			}
			if len(e.snap.Warnings) != 0 {
				t.Errorf("warnings: %+v", e.snap.Warnings)
			}
		})
	}
}

func TestReadContentPlainAndGzippedText(t *testing.T) {
	e := expand(t, "app.env", []byte("T="+tokenA+"\n"), ArchiveLimits{})
	if !strings.Contains(e.content["app.env"], tokenA) {
		t.Errorf("plain text not passed through: %v", e.paths())
	}
	e = expand(t, "logs/app.log.gz", gzipOf([]byte("auth with "+tokenB+"\n")), ArchiveLimits{})
	if !strings.Contains(e.content["logs/app.log.gz"], tokenB) {
		t.Errorf("gzipped text not scanned under its own path: %v", e.paths())
	}
}

func TestReadContentTraversalNames(t *testing.T) {
	data := tarOf(t, member{"../../etc/cron.d/evil", []byte("x=" + tokenA + "\n")}, member{"/abs/key.txt", []byte(tokenB)})
	e := expand(t, "up.tar", data, ArchiveLimits{})
	if !strings.Contains(e.content["up.tar!/etc/cron.d/evil"], tokenA) || !strings.Contains(e.content["up.tar!/abs/key.txt"], tokenB) {
		t.Errorf("traversal members not scanned under cleaned names: %v", e.paths())
	}
	if !e.warned("up.tar!/etc/cron.d/evil", "path traversal") || !e.warned("up.tar!/abs/key.txt", "path traversal") {
		t.Errorf("no traversal warning: %+v", e.snap.Warnings)
	}
	zipped := zipOf(t, zip.Deflate, member{"..\\..\\win.ini", []byte(tokenA)})
	e = expand(t, "w.zip", zipped, ArchiveLimits{})
	if !strings.Contains(e.content["w.zip!/win.ini"], tokenA) || !e.warned("w.zip!/win.ini", "path traversal") {
		t.Errorf("backslash traversal: %v %+v", e.paths(), e.snap.Warnings)
	}
}

func TestReadContentTruncated(t *testing.T) {
	noise := make([]byte, 64<<10)
	rand.NewChaCha8([32]byte{1}).Read(noise)
	tgz := gzipOf(tarOf(t, member{"first.txt", []byte(tokenA + "\n")}, member{"second.txt", noise}))
	e := expand(t, "cut.tar.gz", tgz[:len(tgz)/2], ArchiveLimits{})
	if !strings.Contains(e.content["cut.tar.gz!/first.txt"], tokenA) {
		t.Errorf("member before the cut not scanned: %v", e.paths())
	}
	if len(e.snap.Warnings) == 0 {
		t.Errorf("no warning for a truncated tar.gz")
	}
	z := zipOf(t, zip.Deflate, member{"first.txt", []byte(tokenA + "\n")}, member{"second.txt", bytes.Repeat([]byte("y "), 64<<10)})
	e = expand(t, "cut.zip", z[:len(z)-200], ArchiveLimits{})
	if !strings.Contains(e.content["cut.zip!/first.txt"], tokenA) || len(e.snap.Warnings) == 0 {
		t.Errorf("truncated zip: %v %+v", e.paths(), e.snap.Warnings)
	}
	e = expand(t, "garbage.zip", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xff}, 100)...), ArchiveLimits{})
	if len(e.snap.Warnings) == 0 {
		t.Errorf("no warning for a corrupt zip")
	}
}

// zeros returns a reader of n zero bytes without holding them.
func zeros(n int64) io.Reader { return io.LimitReader(zeroReader{}, n) }

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Some writers set the data-descriptor flag, fill in the sizes anyway and
// write the descriptor without its signature: the sizes are then the only
// way to find where a stored member ends.
func TestZipDescriptorWithoutSignature(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range []member{{"foo.txt", []byte("A=" + tokenA + "\n")}, {"bar.txt", []byte("B=" + tokenB + "\n")}} {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: m.name, Method: zip.Store, Flags: 0x8, CRC32: crc32.ChecksumIEEE(m.data),
			CompressedSize64: uint64(len(m.data)), UncompressedSize64: uint64(len(m.data))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	zw.Close()
	data := bytes.ReplaceAll(b.Bytes(), []byte("PK\x07\x08"), nil)
	// Go writes zero sizes when the flag is set; put them back, as the
	// writers this test stands for do.
	for i, n := 0, 0; n < 2; n++ {
		i += bytes.Index(data[i:], []byte("PK\x03\x04"))
		size := uint32(len("A=" + tokenA + "\n"))
		binary.LittleEndian.PutUint32(data[i+18:], size)
		binary.LittleEndian.PutUint32(data[i+22:], size)
		i += 4
	}
	e := expand(t, "old.zip", data, ArchiveLimits{})
	if !strings.Contains(e.content["old.zip!/foo.txt"], tokenA) || !strings.Contains(e.content["old.zip!/bar.txt"], tokenB) || len(e.snap.Warnings) != 0 {
		t.Errorf("paths %v warnings %+v", e.paths(), e.snap.Warnings)
	}
}
