package env

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// walk runs a source and returns its chunks and stats.
func walk(t *testing.T, src interface {
	Walk(context.Context, func(sources.Chunk) error) error
}, st *sources.Stats) []sources.Chunk {
	t.Helper()
	var got []sources.Chunk
	if err := src.Walk(context.Background(), func(c sources.Chunk) error {
		got = append(got, c)
		return nil
	}); err != nil {
		t.Fatalf("walk: %v", err)
	}
	return got
}

func TestParse(t *testing.T) {
	st := sources.NewStats()
	got := Parse([]string{
		"ZED=last",
		"=C:=C:\\work", // Windows keeps per-drive folders under such names
		"B=two=signs",
		"EMPTY=",
		"no-equals-sign-secret-looking-text",
		"A=first",
		"B=again",
	}, st)
	want := []Variable{{"=C:", "C:\\work"}, {"A", "first"}, {"B", "two=signs"}, {"B", "again"}, {"EMPTY", ""}, {"ZED", "last"}}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("variable %d = %q, want %q", i, got[i], want[i])
		}
	}
	snap := st.Snapshot()
	if len(snap.Warnings) != 1 || !strings.Contains(snap.Warnings[0].Message, "entry 5") {
		t.Fatalf("warnings %+v, want one naming entry 5", snap.Warnings)
	}
	if w := snap.Warnings[0]; strings.Contains(w.Place+w.Message, "secret-looking") {
		t.Errorf("warning %+v repeats the malformed entry, which may be a value", w)
	}
}

func TestWalkOneChunkPerVariable(t *testing.T) {
	st := sources.NewStats()
	src := &Source{Environ: []string{"TOKEN=abc", "HOME=/home/ci", "PEM=line1\nline2"}, Stats: st}
	got := walk(t, src, st)
	want := []struct{ path, data string }{
		{"env:HOME", "HOME=/home/ci\n"},
		{"env:PEM", "PEM=line1\nline2\n"},
		{"env:TOKEN", "TOKEN=abc\n"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d chunks, want %d", len(got), len(want))
	}
	for i, w := range want {
		c := got[i]
		if c.Origin.Path != w.path || string(c.Data) != w.data || c.Origin.Source != Kind || c.StartLine != 1 {
			t.Errorf("chunk %d = %s %q (source %s, line %d), want %s %q", i, c.Origin.Path, c.Data, c.Origin.Source, c.StartLine, w.path, w.data)
		}
	}
	if items, _ := st.Progress(); items != 3 {
		t.Errorf("%d items scanned, want 3", items)
	}
}

// TestWalkHostileValues: a huge value and a binary one are skipped like
// a huge or binary file, with warnings that name the variable only.
func TestWalkHostileValues(t *testing.T) {
	huge := strings.Repeat("Q", 4096)
	st := sources.NewStats()
	src := &Source{
		Environ: []string{"BIG=" + huge, "BIN=\x01\x02\x03\x04\x05\x06", "OK=fine"},
		Limits:  sources.Limits{MaxSize: 1024},
		Stats:   st,
	}
	got := walk(t, src, st)
	if len(got) != 1 || got[0].Origin.Path != "env:OK" {
		t.Fatalf("chunks %v, want only env:OK", got)
	}
	snap := st.Snapshot()
	if snap.Skipped[sources.SkipTooLarge] != 1 || snap.Skipped[sources.SkipBinary] != 1 {
		t.Errorf("skipped %v, want one too large and one binary", snap.Skipped)
	}
	for _, w := range snap.Warnings {
		if strings.Contains(w.Place+w.Message, "QQQQ") {
			t.Errorf("warning %+v shows the value", w)
		}
	}
}

func TestWalkStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := &Source{Environ: []string{"A=1"}}
	err := src.Walk(ctx, func(sources.Chunk) error { t.Error("chunk emitted after cancel"); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestWalkEmptyEnvironment(t *testing.T) {
	st := sources.NewStats()
	if got := walk(t, &Source{Stats: st}, st); len(got) != 0 {
		t.Errorf("%d chunks from an empty environment", len(got))
	}
	if items, _ := st.Progress(); items != 0 {
		t.Errorf("%d items scanned from an empty environment", items)
	}
}

func TestFileIsAFileSource(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "build.env")
	if err := os.WriteFile(path, []byte("# comment\nA=1\nB=2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := sources.NewStats()
	got := walk(t, &File{Path: path, Stats: st}, st)
	if len(got) != 1 {
		t.Fatalf("%d chunks, want 1", len(got))
	}
	c := got[0]
	if c.Origin.Source != sources.KindFile || c.Origin.Path != filepath.ToSlash(path) || c.StartLine != 1 || string(c.Data) != "# comment\nA=1\nB=2\n" {
		t.Errorf("chunk %+v %q", c.Origin, c.Data)
	}
}

func TestFileProblemsAreWarnings(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{
		"missing": filepath.Join(dir, "nope.env"),
		"folder":  dir,
	} {
		st := sources.NewStats()
		if got := walk(t, &File{Path: path, Stats: st}, st); len(got) != 0 {
			t.Errorf("%s: %d chunks", name, len(got))
		}
		snap := st.Snapshot()
		if len(snap.Warnings) != 1 || snap.Warnings[0].Place != filepath.ToSlash(path) || snap.Items != 0 {
			t.Errorf("%s: warnings %+v, items %d; want one warning naming %s and nothing scanned", name, snap.Warnings, snap.Items, path)
		}
	}
}

func TestDisplayPath(t *testing.T) {
	for in, want := range map[string]string{
		"./sub/.env":  "sub/.env",
		"sub//x.env":  "sub/x.env",
		".env":        ".env",
		"/abs/b.env":  "/abs/b.env",
		"a/../c.env":  "c.env",
		"./../up.env": "../up.env",
	} {
		if got := displayPath(in); got != want {
			t.Errorf("displayPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse: any entry either splits into a name and value that rejoin
// to it, or is skipped with a warning; nothing panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"A=1", "=C:=C:\\", "", "=", "==", "noequals", "\xff=\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		st := sources.NewStats()
		got := Parse([]string{entry}, st)
		warned := len(st.Snapshot().Warnings)
		switch {
		case len(got) == 1 && warned == 0:
			if got[0].Name+"="+got[0].Value != entry || got[0].Name == "" {
				t.Errorf("Parse(%q) = %q", entry, got[0])
			}
		case len(got) == 0 && warned == 1:
		default:
			t.Errorf("Parse(%q) = %q with %d warnings", entry, got, warned)
		}
	})
}
