package files

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func walk(t *testing.T, opts Options) ([]string, sources.Snapshot) {
	t.Helper()
	opts.Stats = sources.NewStats()
	var (
		mu    sync.Mutex
		paths []string
	)
	err := New(opts).Walk(context.Background(), func(c sources.Chunk) error {
		mu.Lock()
		paths = append(paths, c.Origin.Path)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	return paths, opts.Stats.Snapshot()
}

func fixture(t *testing.T) string {
	root := t.TempDir()
	write(t, filepath.Join(root, "a.txt"), "a\n")
	write(t, filepath.Join(root, "sub", "b.env"), "B=1\n")
	write(t, filepath.Join(root, ".git", "config"), "[core]\n")
	write(t, filepath.Join(root, "build", "out.txt"), "out\n")
	write(t, filepath.Join(root, ".gitignore"), "build/\n*.log\n")
	write(t, filepath.Join(root, "debug.log"), "log\n")
	write(t, filepath.Join(root, "bin.dat"), "\x00\x01\x02\x03")
	if err := os.Symlink(root, filepath.Join(root, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "a.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestWalkDefaults(t *testing.T) {
	root := fixture(t)
	paths, snap := walk(t, Options{Roots: []string{root}})
	want := ".gitignore a.txt build/out.txt debug.log sub/b.env"
	if got := strings.Join(paths, " "); got != want {
		t.Fatalf("paths = %q, want %q", got, want)
	}
	if snap.Skipped[sources.SkipSymlink] != 2 || snap.Skipped[sources.SkipBinary] != 1 || snap.Skipped[sources.SkipSpecial] != 1 {
		t.Errorf("skipped = %v", snap.Skipped)
	}
}

func TestWalkGitignoreAndExclude(t *testing.T) {
	root := fixture(t)
	paths, _ := walk(t, Options{Roots: []string{root}, Gitignore: true, Exclude: func(p string) bool { return strings.HasSuffix(p, ".env") }})
	if got := strings.Join(paths, " "); got != ".gitignore a.txt" {
		t.Fatalf("paths = %q", got)
	}
}

func TestWalkFollowSymlinksDetectsLoop(t *testing.T) {
	root := fixture(t)
	paths, snap := walk(t, Options{Roots: []string{root}, FollowSymlinks: true})
	if got := strings.Join(paths, " "); got != ".gitignore a.txt build/out.txt debug.log link.txt sub/b.env" {
		t.Fatalf("paths = %q", got)
	}
	found := false
	for _, w := range snap.Warnings {
		if w.Place == "sub/loop" && strings.Contains(w.Message, "loop") {
			found = true
		}
	}
	if !found {
		t.Errorf("no loop warning naming sub/loop: %+v", snap.Warnings)
	}
}

func TestWalkMissingRootAndMultipleRoots(t *testing.T) {
	root := fixture(t)
	missing := filepath.Join(root, "nope")
	paths, snap := walk(t, Options{Roots: []string{filepath.Join(root, "sub"), missing, filepath.Join(root, "a.txt")}})
	sub := filepath.ToSlash(filepath.Join(root, "sub"))
	want := []string{filepath.ToSlash(filepath.Join(root, "a.txt")), sub + "/b.env"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Fatalf("paths = %q, want %q", paths, want)
	}
	if len(snap.Warnings) != 1 || snap.Warnings[0].Place != missing {
		t.Errorf("warnings = %+v", snap.Warnings)
	}
}

func TestSequentialAndParallelAgree(t *testing.T) {
	root := fixture(t)
	for i := 0; i < 50; i++ {
		write(t, filepath.Join(root, "many", strings.Repeat("d", i%5+1), "f"+string(rune('a'+i%26))+".txt"), "x\n")
	}
	one, _ := walk(t, Options{Roots: []string{root}, Workers: 1})
	many, _ := walk(t, Options{Roots: []string{root}, Workers: 8})
	if strings.Join(one, " ") != strings.Join(many, " ") {
		t.Fatalf("sequential and parallel walks differ")
	}
}

func TestTotalKnownAfterListing(t *testing.T) {
	root := fixture(t)
	w := New(Options{Roots: []string{root}, Stats: sources.NewStats()})
	if items, bytes := w.Total(); items != 0 || bytes != 0 {
		t.Fatalf("total before the walk = %d, %d", items, bytes)
	}
	if err := w.Walk(context.Background(), func(sources.Chunk) error { return nil }); err != nil {
		t.Fatal(err)
	}
	// Regular files offered for reading: .gitignore, a.txt, bin.dat,
	// build/out.txt, debug.log, sub/b.env (links and the FIFO are not).
	items, bytes := w.Total()
	if items != 6 || bytes != 2+4+13+4+4+4 {
		t.Fatalf("total = %d files, %d bytes", items, bytes)
	}
}
