package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, name := range []string{"text", "json", "sarif", "csv", "SARIF", " json "} {
		if w, err := Lookup(name); err != nil || w == nil {
			t.Errorf("Lookup(%q) = %v, %v", name, w, err)
		}
	}
	_, err := Lookup("xml")
	if err == nil || !strings.Contains(err.Error(), "text, json, sarif, csv") {
		t.Errorf("Lookup(xml) error = %v, want the valid names", err)
	}
}

func TestCreateFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() != 0 {
		t.Errorf("report file mode %v size %d, want 0600 and truncated", fi.Mode().Perm(), fi.Size())
	}
}
