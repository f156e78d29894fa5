package report

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// TestOwnNHISurvivesJSON: a risk an occurrence shows by itself (NHI7 for
// a static cloud key in a workflow without OIDC) is written apart and read
// back, so that a merge still counts it.
func TestOwnNHISurvivesJSON(t *testing.T) {
	rep := fixtureReport()
	rep.Findings[0].OwnNHI = []string{classify.NHI7}
	path := filepath.Join(t.TempDir(), "r.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := (JSONWriter{}).Write(f, rep, fixtureOptions()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	back, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	withOwn := 0
	for _, o := range back.Occurrences("svc") {
		if len(o.OwnNHI) > 0 {
			withOwn++
			if !slices.Equal(o.OwnNHI, []string{classify.NHI7}) {
				t.Errorf("own NHI read back as %v", o.OwnNHI)
			}
		}
	}
	if withOwn != 1 {
		t.Errorf("%d occurrences carry their own NHI after reading back, want 1", withOwn)
	}
}
