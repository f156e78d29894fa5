package classify

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

func mustReferences() fs.FS { return rules.References }

func loadSet(t *testing.T) *Classifier {
	t.Helper()
	c, err := New(rules.References, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// refsIn classifies text as the file at path holds it and returns the
// occurrences of each reference pattern.
func refsIn(c *Classifier, path, text string) map[string][]Finding {
	res := c.Chunk(sources.Chunk{Data: []byte(text), Origin: &sources.Origin{Source: sources.KindFile, Path: path}, StartLine: 1}, nil)
	out := map[string][]Finding{}
	for _, f := range res.Findings {
		if f.Reference != nil {
			out[f.Reference.Pattern] = append(out[f.Reference.Pattern], f)
		}
	}
	return out
}

// TestReferenceExamples runs every reference pattern's examples and
// counter-examples through the whole classifier (keyword prefilter, path
// globs, parsing, secret-name check, overlap resolution), like
// TestRuleExamples does for detection rules.
func TestReferenceExamples(t *testing.T) {
	c := loadSet(t)
	if len(c.set.Patterns) < 40 {
		t.Errorf("only %d reference patterns", len(c.set.Patterns))
	}
	for _, p := range c.set.Patterns {
		t.Run(p.ID, func(t *testing.T) {
			if len(p.Examples) == 0 || len(p.CounterExamples) == 0 {
				t.Fatal("a reference needs examples and counter-examples")
			}
			path := p.ExamplePath
			if path == "" {
				path = "example.txt"
			}
			for _, ex := range p.Examples {
				got := refsIn(c, path, ex)[p.ID]
				if len(got) == 0 {
					t.Errorf("example not recognised in %s:\n%s\nfound instead: %v", path, ex, patternIDs(refsIn(c, path, ex)))
					continue
				}
				for _, f := range got {
					if f.Class != p.Class || f.Reference.Target == "" || f.Evidence == "" {
						t.Errorf("example %q: class %s target %q evidence %q", ex, f.Class, f.Reference.Target, f.Evidence)
					}
				}
			}
			for _, ex := range p.CounterExamples {
				if got := refsIn(c, path, ex)[p.ID]; len(got) > 0 {
					t.Errorf("counter-example matched in %s: %q (target %q)", path, ex, got[0].Reference.Target)
				}
			}
		})
	}
}

func patternIDs(m map[string][]Finding) []string {
	var ids []string
	for id := range m {
		ids = append(ids, id)
	}
	return ids
}

func TestSecretKeyPolicy(t *testing.T) {
	k := loadSet(t).set.Keys
	for _, name := range k.Examples {
		kw := false
		for _, w := range k.Keywords {
			kw = kw || strings.Contains(strings.ToLower(name), strings.ToLower(w))
		}
		if !kw {
			t.Errorf("%s holds none of the secret-key keywords, so the prefilter would skip it", name)
		}
		if !k.SecretNamed(name) {
			t.Errorf("%s should be secret-named (normalised %q)", name, NormalizeKey(name))
		}
	}
	for _, name := range k.CounterExamples {
		if k.SecretNamed(name) {
			t.Errorf("%s should not be secret-named (normalised %q)", name, NormalizeKey(name))
		}
	}
	for _, v := range k.LiteralExamples {
		if !k.Literal(v) {
			t.Errorf("%q should be a literal", v)
		}
	}
	for _, v := range k.LiteralCounterExamples {
		if k.Literal(v) {
			t.Errorf("%q should not be a literal", v)
		}
	}
}
