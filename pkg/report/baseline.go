package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// Baseline is the set of fingerprints of an earlier JSON report: findings
// already known and accepted, which a CI gate should not fail on again.
type Baseline struct {
	path         string
	keyID        string
	fingerprints map[string]struct{}
}

// baselineFile is the part of a JSON report a baseline needs. Pointers
// tell a missing field from an empty one, which is how a foreign JSON
// document is recognised.
type baselineFile struct {
	Schema           *string          `json:"$schema"`
	SchemaVersion    *string          `json:"schema_version"`
	Tool             *JSONTool        `json:"tool"`
	FingerprintKeyID string           `json:"fingerprint_key_id"`
	Findings         *[]baselineEntry `json:"findings"`
	// References are read too: an accepted externalized reference must
	// not fail --fail-on externalized again. Older reports may lack them.
	References []baselineEntry `json:"references"`
}

type baselineEntry struct {
	Fingerprint string `json:"fingerprint"`
}

// LoadBaseline reads an earlier JSON report written by sprawl. Any other
// document is an error that says what was expected: a silently empty
// baseline would turn every accepted finding back into a failure, and a
// misread one could hide new findings.
func LoadBaseline(path string) (Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Baseline{}, fmt.Errorf("read baseline: %w", err)
	}
	return parseBaseline(path, data)
}

func parseBaseline(path string, data []byte) (Baseline, error) {
	notOurs := func(why string) error {
		return fmt.Errorf("baseline %s is not a sprawl JSON report (%s); write one with --format json", path, why)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return Baseline{}, notOurs("file is empty")
	}
	var f baselineFile
	if err := json.Unmarshal(trimmed, &f); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return Baseline{}, notOurs(fmt.Sprintf("unexpected %s at %q", typeErr.Value, typeErr.Field))
		}
		return Baseline{}, fmt.Errorf("baseline %s is not valid JSON: %w", path, err)
	}
	switch {
	case f.Schema != nil && f.SchemaVersion == nil:
		return Baseline{}, notOurs("it looks like SARIF")
	case f.SchemaVersion == nil:
		return Baseline{}, notOurs("no schema_version")
	case f.Tool == nil || f.Tool.Name != "sprawl":
		return Baseline{}, notOurs("tool.name is not sprawl")
	case *f.SchemaVersion != SchemaVersion:
		return Baseline{}, fmt.Errorf("baseline %s has JSON schema version %q; this sprawl reads version %q", path, *f.SchemaVersion, SchemaVersion)
	case f.Findings == nil:
		return Baseline{}, notOurs("no findings list")
	}
	b := Baseline{path: path, keyID: f.FingerprintKeyID, fingerprints: map[string]struct{}{}}
	for _, list := range []struct {
		name    string
		entries []baselineEntry
	}{{"finding", *f.Findings}, {"reference", f.References}} {
		for i, x := range list.entries {
			if x.Fingerprint == "" {
				return Baseline{}, fmt.Errorf("baseline %s: %s %d has no fingerprint", path, list.name, i)
			}
			b.fingerprints[x.Fingerprint] = struct{}{}
		}
	}
	return b, nil
}

// Len is the number of distinct fingerprints in the baseline.
func (b Baseline) Len() int { return len(b.fingerprints) }

// Contains reports whether a fingerprint is in the baseline.
func (b Baseline) Contains(fingerprint string) bool {
	_, ok := b.fingerprints[fingerprint]
	return ok
}

// CheckKey returns an error when the baseline was written with another
// fingerprint key than key, in which case no finding could match it.
// Reports without a key id (none so far) are accepted.
func (b Baseline) CheckKey(key []byte) error {
	if b.keyID == "" || b.keyID == FingerprintKeyID(key) {
		return nil
	}
	return fmt.Errorf("baseline %s was written with another fingerprint key (%s is not set the same way it was then)", b.path, FingerprintKeyEnv)
}

// Filter drops the findings whose fingerprint (computed with key) is in
// the baseline, keeping the others in order, and says how many it dropped.
// Managed references are always kept: they fail no gate, and the report
// is their inventory.
func (b Baseline) Filter(findings []classify.Finding, key []byte) (kept []classify.Finding, dropped int) {
	kept = make([]classify.Finding, 0, len(findings))
	for _, f := range findings {
		if f.Class != classify.Managed && b.Contains(Fingerprint(f, key)) {
			dropped++
			continue
		}
		kept = append(kept, f)
	}
	return kept, dropped
}
