package files

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// A jar on disk is recognised by its bytes, not its name, and its members
// are walked through the shared archive reader; without the hook the jar
// would be skipped as binary and its member never seen.
func TestWalkExpandsArchives(t *testing.T) {
	root := t.TempDir()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("BOOT-INF/classes/application.yml")
	w.Write([]byte("token: x\n"))
	zw.Close()
	for _, name := range []string{"app.jar", "no-extension"} {
		if err := os.WriteFile(filepath.Join(root, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	paths, snap := walk(t, Options{Roots: []string{root}})
	want := "app.jar!/BOOT-INF/classes/application.yml no-extension!/BOOT-INF/classes/application.yml"
	if got := strings.Join(paths, " "); got != want {
		t.Fatalf("paths = %q, want %q", got, want)
	}
	if snap.Skipped[sources.SkipBinary] != 0 {
		t.Errorf("archive skipped as binary: %v", snap.Skipped)
	}
}
