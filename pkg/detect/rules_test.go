package detect

import (
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

// TestRuleExamples runs every rule's examples and counter-examples through
// an engine holding only that rule, so the keyword prefilter, regex,
// entropy, validator and built-in allowlist are all exercised.
func TestRuleExamples(t *testing.T) {
	all, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no rules loaded")
	}
	for _, r := range all {
		t.Run(r.ID, func(t *testing.T) {
			if err := r.Compile(); err != nil {
				t.Fatal(err)
			}
			if r.Title == "" || r.Provider == "" {
				t.Errorf("rule needs a title and a provider")
			}
			if len(r.Examples) == 0 {
				t.Errorf("rule has no examples")
			}
			if len(r.CounterExamples) == 0 {
				t.Errorf("rule has no counter-examples")
			}
			e, err := NewEngine([]*Rule{r}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, ex := range r.Examples {
				if got := scanString(e, ex); len(got) == 0 {
					t.Errorf("example not found: %q%s", ex, explain(e, ex))
				}
			}
			for _, ex := range r.CounterExamples {
				if got := scanString(e, ex); len(got) > 0 {
					t.Errorf("counter-example matched: %q (secret %q)", ex, got[0].Secret)
				}
			}
		})
	}
}

func scanString(e *Engine, s string) []Finding {
	return e.Scan(sources.Chunk{Data: []byte(s), Origin: &sources.Origin{Source: sources.KindStdin, Path: "example"}, StartLine: 1})
}

func explain(e *Engine, s string) string {
	out := ""
	for _, tr := range e.Check([]byte(s)) {
		out += "\n    " + tr.Stage + ": " + tr.Detail
	}
	return out
}
