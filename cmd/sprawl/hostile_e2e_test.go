package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestHostileTree scans a tree holding an unreadable file, a symlink loop,
// a 200 MB single-line file, invalid UTF-8 and a NUL-laden binary: the
// scan completes, warns about each problem by name, still finds the secret
// in the good file, and stays within bounded memory.
func TestHostileTree(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 200 MB file")
	}
	root := filepath.Join(t.TempDir(), "tree")
	writeFile(t, filepath.Join(root, "good.txt"), "token = "+tokenA+"\n")
	writeFile(t, filepath.Join(root, "locked.txt"), "token = "+tokenB+"\n")
	if err := os.Chmod(filepath.Join(root, "locked.txt"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..", filepath.Join(root, "loop")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "invalid-utf8.txt"), "k=\xff\xfe\xc3\x28 token "+tokenB+" \xed\xa0\x80\n")
	writeFile(t, filepath.Join(root, "blob.bin"), string(append([]byte{0x7f, 'E', 'L', 'F', 0, 0, 0}, bytes.Repeat([]byte{0, 1, 2, 3}, 4096)...)))
	huge, err := os.Create(filepath.Join(root, "huge-line.txt"))
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz0123456789+/"), 1<<16)
	for written := 0; written < 200<<20; written += len(line) {
		if _, err := huge.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	huge.WriteString(" " + tokenA + "\n")
	huge.Close()
	makeTraversable(t, root)

	args := []string{"dir", root, "--format", "json", "--max-file-size", "0", "--follow-symlinks"}
	r := runAsUnprivileged(t, args...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	rep := parseJSON(t, r.stdout)
	want := map[string]bool{"good.txt": false, "invalid-utf8.txt": false, "huge-line.txt": false}
	for _, f := range rep.Findings {
		want[filepath.Base(f.Location.Path)] = true
	}
	for name, ok := range want {
		if !ok {
			t.Errorf("no finding in %s", name)
		}
	}
	warned := func(part string) bool {
		for _, w := range rep.Summary.Warnings {
			if strings.Contains(w.Place, part) {
				return true
			}
		}
		return false
	}
	if !warned("locked.txt") || !warned("loop") {
		t.Errorf("warnings do not name the unreadable file and the loop: %+v", rep.Summary.Warnings)
	}
	if rep.Summary.Skipped["binary"] != 1 {
		t.Errorf("binary not skipped: %v", rep.Summary.Skipped)
	}
	if r.maxRSSKiB > 300<<10 {
		t.Errorf("peak memory %d MiB scanning a 200 MB line: not bounded", r.maxRSSKiB>>10)
	}
	t.Logf("peak RSS %d MiB", r.maxRSSKiB>>10)

	// With the default size cap the huge file is skipped with a warning.
	r = runAsUnprivileged(t, "dir", root, "--format", "json")
	if rep := parseJSON(t, r.stdout); !strings.Contains(r.stdout, "huge-line.txt") || rep.Summary.Skipped["larger than --max-file-size"] != 1 {
		t.Errorf("default cap did not skip the huge file with a warning: %+v", rep.Summary)
	}
}

// makeTraversable lets an unprivileged user read the fixture (t.TempDir's
// parents are private).
func makeTraversable(t *testing.T, root string) {
	for dir := root; dir != "/" && dir != "."; dir = filepath.Dir(dir) {
		if info, err := os.Stat(dir); err == nil && info.Mode().Perm()&0o005 != 0o005 {
			if err := os.Chmod(dir, info.Mode().Perm()|0o005); err != nil {
				t.Fatal(err)
			}
		}
		if strings.HasPrefix(dir, os.TempDir()) && filepath.Dir(dir) == filepath.Clean(os.TempDir()) {
			break
		}
	}
}

// runAsUnprivileged runs sprawl as "nobody" when the tests run as root, so
// that a file with mode 000 really is unreadable.
func runAsUnprivileged(t *testing.T, args ...string) result {
	t.Helper()
	if os.Geteuid() != 0 {
		return runSprawl(t, "", "", args...)
	}
	bin := filepath.Join(os.TempDir(), "sprawl-e2e-nobody")
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(bin)
	cmd := exec.Command(bin, args...)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSSKiB = ru.Maxrss
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}
