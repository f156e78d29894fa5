package report

import (
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// TestBaselineHoldsReferences: an externalized occurrence accepted in an
// earlier report (where JSON lists it under references) is baselined, so
// that --fail-on externalized with --baseline fails only on new ones.
func TestBaselineHoldsReferences(t *testing.T) {
	old := fixtureReport()
	var externalized []classify.Finding
	for _, f := range old.References {
		if f.Class == classify.Externalized {
			externalized = append(externalized, f)
		}
	}
	if len(externalized) == 0 {
		t.Fatal("the fixture has no externalized reference")
	}
	old.Findings = nil
	b, err := LoadBaseline(writeBaseline(t, old, fixtureOptions()))
	if err != nil {
		t.Fatal(err)
	}
	kept, dropped := b.Filter(externalized, testKey)
	if dropped != len(externalized) || len(kept) != 0 {
		t.Errorf("baseline of references dropped %d of %d externalized occurrences", dropped, len(externalized))
	}
}
