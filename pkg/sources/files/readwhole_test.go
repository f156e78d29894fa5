package files

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// fakeFile serves content in reads of at most step bytes (0: all asked),
// counting them, and fails with failAt after that many bytes if set.
type fakeFile struct {
	data   []byte
	off    int
	step   int
	reads  int
	failAt int
}

func (f *fakeFile) Read(p []byte) (int, error) {
	f.reads++
	if f.failAt > 0 && f.off >= f.failAt {
		return 0, errors.New("input/output error")
	}
	if f.off == len(f.data) {
		return 0, io.EOF
	}
	n := len(p)
	if f.step > 0 {
		n = min(n, f.step)
	}
	n = copy(p[:n], f.data[f.off:])
	f.off += n
	return n, nil
}

func (f *fakeFile) ReadAt([]byte, int64) (int, error) { return 0, errors.New("not used") }
func (f *fakeFile) Close() error                      { return nil }

// readWhole reads an unchanged file in one read, and reads whatever a
// file that shrank, grew or was served in short reads holds, all of it
// and nothing else; a read error still reaches the reader it returns.
func TestReadWhole(t *testing.T) {
	content := []byte(strings.Repeat("line of text\n", 500))
	all := func(r io.Reader) []byte {
		b, _ := io.ReadAll(r)
		return b
	}
	var scratch []byte

	f := &fakeFile{data: content}
	r, size := readWhole(f, int64(len(content)), &scratch)
	if got := all(r); !bytes.Equal(got, content) || size != int64(len(content)) || f.reads != 1 {
		t.Errorf("unchanged file: %d bytes, size %d, %d reads; want all of it in 1 read", len(got), size, f.reads)
	}

	f = &fakeFile{data: content, step: 100}
	r, size = readWhole(f, int64(len(content)), &scratch)
	if got := all(r); !bytes.Equal(got, content) || size != int64(len(content)) {
		t.Errorf("short reads: %d bytes, size %d", len(got), size)
	}

	f = &fakeFile{data: content[:1000]}
	r, size = readWhole(f, int64(len(content)), &scratch)
	if got := all(r); !bytes.Equal(got, content[:1000]) || size != 1000 {
		t.Errorf("shrunk file: %d bytes, size %d", len(got), size)
	}

	f = &fakeFile{data: content}
	r, size = readWhole(f, 100, &scratch)
	if got := all(r); !bytes.Equal(got, content) || size != -1 {
		t.Errorf("grown file: %d bytes, size %d; want all %d, size unknown", len(got), size, len(content))
	}

	f = &fakeFile{data: content, step: 100, failAt: 300}
	r, _ = readWhole(f, int64(len(content)), &scratch)
	got, err := io.ReadAll(r)
	if !bytes.Equal(got, content[:300]) || err == nil {
		t.Errorf("read error: %d bytes, err %v; want 300 and the error", len(got), err)
	}
}
