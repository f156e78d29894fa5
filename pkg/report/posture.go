package report

import (
	"sort"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// The posture is what the inventory says about a scan as a whole:
// credentials by class, by source and by NHI risk, and the secrets that
// spread furthest. Text and JSON share these counts.

// failOn returns the report's gate class, unmanaged by default.
func failOn(r *Report) classify.Class {
	if r.FailOn == "" {
		return classify.Unmanaged
	}
	return r.FailOn
}

// Failing returns the occurrences the --fail-on gate counts, findings
// first, in report order.
func Failing(r *Report) []classify.Finding {
	gate := failOn(r)
	var out []classify.Finding
	for _, f := range r.Findings {
		if f.Class.Fails(gate) {
			out = append(out, f)
		}
	}
	for _, f := range r.References {
		if f.Class.Fails(gate) {
			out = append(out, f)
		}
	}
	return out
}

// shownSecret is how a report shows an occurrence's value: a reference
// has none (its target is in its reference object).
func shownSecret(f classify.Finding, opts Options) string {
	if f.IsReference() {
		return ""
	}
	return secretText(f.Secret, opts)
}

// credentialLabel names a credential for people: a redacted literal, or
// the reference target (a name, never a value).
func credentialLabel(r *Report, c classify.Credential, opts Options) string {
	if c.Reference {
		return c.Target
	}
	for _, list := range [][]classify.Finding{r.Findings, r.References} {
		for _, f := range list {
			if f.Credential == c.ID && !f.IsReference() {
				return flatten(secretText(f.Secret, opts))
			}
		}
	}
	return ""
}

type posture struct {
	byClass  map[string]int // credentials
	bySource map[string]int // credentials with an occurrence in each kind of source
	byNHI    map[string]int // credentials
	spread   []classify.Credential
}

func postureOf(r *Report) posture {
	p := posture{byClass: map[string]int{}, bySource: map[string]int{}, byNHI: map[string]int{}}
	for _, c := range []classify.Class{classify.Unmanaged, classify.Externalized, classify.Managed} {
		p.byClass[string(c)] = 0
	}
	for _, risk := range classify.Risks {
		p.byNHI[risk.ID] = 0
	}
	if r.Inventory == nil {
		return p
	}
	for _, c := range r.Inventory.Credentials {
		p.byClass[string(c.Class)]++
		for _, s := range c.Sources {
			p.bySource[s]++
		}
		for _, n := range c.NHI {
			p.byNHI[n]++
		}
		if len(c.Locations) > 1 && !c.Reference || len(c.Services) > 1 {
			p.spread = append(p.spread, c)
		}
	}
	sort.SliceStable(p.spread, func(i, j int) bool {
		a, b := p.spread[i], p.spread[j]
		if len(a.Services) != len(b.Services) {
			return len(a.Services) > len(b.Services)
		}
		if len(a.Locations) != len(b.Locations) {
			return len(a.Locations) > len(b.Locations)
		}
		return a.ID < b.ID
	})
	return p
}

// fillPosture adds the classifier's counts to a JSON summary.
func fillPosture(s *JSONSummary, r *Report) {
	s.References = len(r.References)
	s.Failing = len(Failing(r))
	s.ByClass = map[string]int{string(classify.Unmanaged): 0, string(classify.Externalized): 0, string(classify.Managed): 0}
	for _, list := range [][]classify.Finding{r.Findings, r.References} {
		for _, f := range list {
			s.ByClass[string(f.Class)]++
		}
	}
	p := postureOf(r)
	s.ByNHI = p.byNHI
	if r.Inventory != nil {
		s.Credentials = len(r.Inventory.Credentials)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
