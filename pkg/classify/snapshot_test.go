package classify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/rules"
)

// Scans load the reference data from rules/references.json; it must be
// the YAML files as they are, and load back to the same data.
func TestReferenceSnapshotIsCurrent(t *testing.T) {
	fromYAML, err := LoadReferences(rules.References)
	if err != nil {
		t.Fatal(err)
	}
	want, err := MarshalReferences(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rules.ReferencesSnapshot, want) {
		t.Fatal("rules/references.json is not the reference files as they are: run `go generate ./rules`")
	}
	loaded, err := LoadReferencesSnapshot(rules.ReferencesSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	again, err := MarshalReferences(loaded)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, want) {
		t.Fatal("loading the snapshot does not give back the data it was made from")
	}
	if len(loaded.Patterns) != len(fromYAML.Patterns) || loaded.Keys.names == nil || loaded.Patterns[0].re == nil {
		t.Fatal("the snapshot's patterns are not compiled")
	}
}

// A damaged snapshot is an error, not an empty set of references.
func TestDamagedReferenceSnapshot(t *testing.T) {
	for name, data := range map[string]string{
		"truncated":   string(rules.ReferencesSnapshot[:len(rules.ReferencesSnapshot)/2]),
		"no keys":     `{"references": [], "literal-rule": {"id": "secret-key-literal"}}`,
		"bad pattern": strings.Replace(string(rules.ReferencesSnapshot), `"pattern": "`, `"pattern": "(`, 1),
		"null entry":  `{"references": [null]}`,
	} {
		if _, err := LoadReferencesSnapshot([]byte(data)); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
}
