package detect

import (
	"bytes"
	"testing"

	"github.com/sprawl-sec/sprawl/rules"
)

// The snapshot scans load must be the YAML rules, rule for rule and field
// for field (examples aside). Run `go generate ./rules` after changing a
// rule file.
func TestRuleSnapshotIsCurrent(t *testing.T) {
	fromYAML, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	want, err := MarshalSnapshot(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rules.Snapshot, want) {
		t.Fatal("rules/snapshot.json is not the rule files as they are: run `go generate ./rules`")
	}
	loaded, err := LoadRulesSnapshot(rules.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	again, err := MarshalSnapshot(loaded)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, want) {
		t.Fatal("loading the snapshot does not give back the rules it was made from")
	}
	for _, r := range loaded {
		if err := r.Compile(); err != nil {
			t.Errorf("%s from the snapshot: %v", r.ID, err)
		}
	}
}

// A damaged snapshot is an error, not a half-loaded rule set.
func TestRuleSnapshotDamaged(t *testing.T) {
	for name, data := range map[string]string{
		"not JSON":     `[{"id":`,
		"no pattern":   `[{"id":"x","keywords":["abc"]}]`,
		"null rule":    `[null]`,
		"duplicate id": `[{"id":"x","keywords":["abc"],"pattern":"a"},{"id":"x","keywords":["abc"],"pattern":"b"}]`,
	} {
		if _, err := LoadRulesSnapshot([]byte(data)); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}
