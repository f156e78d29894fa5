package classify

import (
	"slices"
	"strings"
	"testing"
)

// TestLeakFormsAreNotTitledReferences: a form that spills a secret is
// reported under its own title; a form that names one kept elsewhere is
// titled a reference.
func TestLeakFormsAreNotTitledReferences(t *testing.T) {
	c := loadSet(t)
	leaks := 0
	for _, p := range c.set.Patterns {
		r := p.Rule()
		switch p.Kind {
		case "leak":
			leaks++
			if r.Title != p.Title || !slices.Contains(r.Tags, "leak") {
				t.Errorf("%s: title %q tags %v; want %q and a leak tag", p.ID, r.Title, r.Tags, p.Title)
			}
		case "reference":
			if !strings.HasSuffix(r.Title, " reference") || !slices.Contains(r.Tags, "reference") {
				t.Errorf("%s: title %q tags %v; want a reference", p.ID, r.Title, r.Tags)
			}
		default:
			t.Errorf("%s: kind %q", p.ID, p.Kind)
		}
	}
	if leaks == 0 {
		t.Error("no leak forms loaded")
	}
}
