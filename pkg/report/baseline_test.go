package report

import (
	"github.com/sprawl-sec/sprawl/pkg/classify"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeBaseline(t *testing.T, r *Report, opts Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "baseline.json")
	f, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := (JSONWriter{}).Write(f, r, opts); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBaselineFilter(t *testing.T) {
	all := fixtureReport().Findings
	old := fixtureReport()
	old.Findings = []classify.Finding{all[0], all[2], all[4]}
	old.References = nil // counted by TestBaselineHoldsReferences
	b, err := LoadBaseline(writeBaseline(t, old, fixtureOptions()))
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 3 {
		t.Fatalf("baseline holds %d fingerprints, want 3", b.Len())
	}
	if err := b.CheckKey(testKey); err != nil {
		t.Errorf("CheckKey with the writing key: %v", err)
	}
	if err := b.CheckKey(nil); err == nil || !strings.Contains(err.Error(), FingerprintKeyEnv) {
		t.Errorf("CheckKey with another key: %v, want an error naming %s", err, FingerprintKeyEnv)
	}

	// The same secrets on other lines are still baselined; a new one is not.
	moved := all[0]
	moved.Line += 10
	current := []classify.Finding{all[1], moved, all[3], all[2], all[5], all[4]}
	kept, dropped := b.Filter(current, testKey)
	if dropped != 3 {
		t.Errorf("dropped %d, want 3", dropped)
	}
	want := []classify.Finding{all[1], all[3], all[5]}
	if len(kept) != len(want) {
		t.Fatalf("kept %d findings, want %d", len(kept), len(want))
	}
	for i := range want {
		if Fingerprint(kept[i], testKey) != Fingerprint(want[i], testKey) {
			t.Errorf("kept[%d] = %s, want %s", i, Fingerprint(kept[i], testKey), Fingerprint(want[i], testKey))
		}
	}
	if _, dropped := b.Filter(current, []byte("other key")); dropped != 0 {
		t.Errorf("another key dropped %d findings", dropped)
	}
}

func TestBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, content, want string }{
		{"empty", "", "file is empty"},
		{"corrupt", `{"schema_version": "1", "findings": [`, "not valid JSON"},
		{"array", `[1, 2]`, "not a sprawl JSON report"},
		{"foreign", `{"name": "something else"}`, "no schema_version"},
		{"sarif", `{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": []}`, "looks like SARIF"},
		{"other tool", `{"schema_version": "1", "tool": {"name": "gitleaks"}, "findings": []}`, "tool.name is not sprawl"},
		{"future", `{"schema_version": "2", "tool": {"name": "sprawl"}, "findings": []}`, `schema version "2"`},
		{"no findings", `{"schema_version": "1", "tool": {"name": "sprawl"}}`, "no findings list"},
		{"wrong type", `{"schema_version": "1", "tool": {"name": "sprawl"}, "findings": {}}`, "not a sprawl JSON report"},
		{"no fingerprint", `{"schema_version": "1", "tool": {"name": "sprawl"}, "findings": [{"rule_id": "x"}]}`, "finding 0 has no fingerprint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadBaseline(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("LoadBaseline = %v, want an error naming the file and saying %q", err, tc.want)
			}
		})
	}
	if _, err := LoadBaseline(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing baseline file is not an error")
	}
}

func TestBaselineEmptyReport(t *testing.T) {
	r := fixtureReport()
	r.Findings = nil
	b, err := LoadBaseline(writeBaseline(t, r, fixtureOptions()))
	if err != nil {
		t.Fatal(err)
	}
	kept, dropped := b.Filter(fixtureReport().Findings, testKey)
	if dropped != 0 || len(kept) != 6 {
		t.Errorf("empty baseline kept %d and dropped %d", len(kept), dropped)
	}
}
