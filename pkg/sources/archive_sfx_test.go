package sources

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sfxOf puts a zip of one member behind stub. absolute writes offsets
// counted from the file's start (as zip -A leaves them); comment adds a
// zip comment, which moves the end record away from the end.
func sfxOf(t *testing.T, stub []byte, absolute bool, comment string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.Write(stub)
	zw := zip.NewWriter(&b)
	if absolute {
		zw.SetOffset(int64(len(stub)))
	} else {
		zw = zip.NewWriter(&offsetFree{&b})
	}
	w, err := zw.Create("config/app.env")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "GITHUB_TOKEN="+tokenA+"\n")
	if comment != "" {
		zw.SetComment(comment)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// offsetFree hides that the buffer already holds the stub, so the zip's
// offsets count from its own start, as when a zip is appended to a stub.
type offsetFree struct{ w io.Writer }

func (o *offsetFree) Write(p []byte) (int, error) { return o.w.Write(p) }

func readAll(t *testing.T, r io.Reader, size int64) (map[string]string, Snapshot) {
	t.Helper()
	st := NewStats()
	got := map[string]string{}
	err := ReadContent(r, &Origin{Source: KindFile, Path: "app.exe"}, size, Limits{}, st, func(c Chunk) error {
		got[c.Origin.Path] += string(c.Data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, st.Snapshot()
}

func TestZipBehindStub(t *testing.T) {
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000)...)
	elf := append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0, 7}, 3000)...)
	script := []byte("#!/bin/sh\nexport GH_TOKEN=" + tokenB + "\nexec java -jar \"$0\" \"$@\"\n")
	for _, tc := range []struct {
		name  string
		data  []byte
		found bool
	}{
		{"pe stub", sfxOf(t, pe, false, ""), true},
		{"pe stub, absolute offsets", sfxOf(t, pe, true, ""), true},
		{"elf stub with a comment", sfxOf(t, elf, false, "made by a self-extractor PK\x05\x06 with a fake record"), true},
		{"launch script", sfxOf(t, script, true, ""), true},
		// A script is only checked at its very end.
		{"launch script with a comment", sfxOf(t, script, true, "comment"), false},
		{"plain executable", elf, false},
		{"stub cut inside the zip", sfxOf(t, pe, false, "")[:len(pe)+40], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, snap := readAll(t, bytes.NewReader(tc.data), int64(len(tc.data)))
			member := got["app.exe!/config/app.env"]
			if tc.found != strings.Contains(member, tokenA) {
				t.Errorf("member read = %v, want %v (got %v)", !tc.found, tc.found, keys(got))
			}
			if tc.found && bytes.HasPrefix(tc.data, []byte("#!")) && !strings.Contains(got["app.exe"], tokenB) {
				t.Errorf("the launch script itself was not read: %v", keys(got))
			}
			if len(snap.Warnings) != 0 {
				t.Errorf("warnings: %+v", snap.Warnings)
			}
		})
	}
}

// A file is read at random too; a stream is not, and its stub is binary.
func TestZipBehindStubNeedsRandomAccess(t *testing.T) {
	data := sfxOf(t, []byte("MZ\x00\x00"), false, "")
	p := filepath.Join(t.TempDir(), "setup.exe")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, _ := readAll(t, f, int64(len(data))); !strings.Contains(got["app.exe!/config/app.env"], tokenA) {
		t.Errorf("file: member not read: %v", keys(got))
	}
	got, snap := readAll(t, io.MultiReader(bytes.NewReader(data)), int64(len(data)))
	if len(got) != 0 || snap.Skipped[SkipBinary] != 1 {
		t.Errorf("stream: got %v, skips %v; want it skipped as binary", keys(got), snap.Skipped)
	}
	if !IsArchiveContent(data) || IsArchiveContent(data[:40]) {
		t.Errorf("IsArchiveContent disagrees with ReadContent")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
