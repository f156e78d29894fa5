package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden writes the fixture report in every format and compares it
// with one golden file per format. Run `go test ./pkg/report -update` to
// accept a change, then read the diff.
func TestGolden(t *testing.T) {
	for _, name := range FormatNames() {
		t.Run(name, func(t *testing.T) {
			w, err := Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.Write(&buf, fixtureReport(), fixtureOptions()); err != nil {
				t.Fatal(err)
			}
			ext := name
			if name == "text" {
				ext = "txt"
			}
			golden := filepath.Join("testdata", "golden", "report."+ext)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from the golden file %s (run go test -update and review the diff):\n%s", name, golden, buf.String())
			}
		})
	}
}
