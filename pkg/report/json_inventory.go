package report

import (
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// JSONCredential is one secret with every place it occurs: the grouped
// view of findings and references (docs/json-report.md, "inventory").
type JSONCredential struct {
	ID        string              `json:"id"`
	Class     string              `json:"class"`
	Kind      string              `json:"kind"` // "literal" or "reference"
	RuleID    string              `json:"rule_id"`
	Title     string              `json:"title"`
	Provider  string              `json:"provider"`
	Secret    string              `json:"secret"` // redacted literal; empty for references
	Target    string              `json:"target"` // referenced secret; empty for literals
	Evidence  string              `json:"evidence"`
	NHI       []string            `json:"nhi"`
	Keys      []string            `json:"keys"`
	Locations []JSONCredentialLoc `json:"locations"`
	FirstSeen *JSONSeen           `json:"first_seen,omitempty"`
	LastSeen  *JSONSeen           `json:"last_seen,omitempty"`
	AtHEAD    bool                `json:"at_head"`
	// HistoryOnly is true when every occurrence is in git history only.
	HistoryOnly  bool           `json:"history_only"`
	Owners       []string       `json:"owners"`
	OwnerSource  string         `json:"owner_source"`
	Environments []string       `json:"environments"`
	Services     []string       `json:"services"`
	Sources      []string       `json:"sources"`
	Migrated     *JSONMigration `json:"migrated,omitempty"`
}

// JSONCredentialLoc is one place of a credential.
type JSONCredentialLoc struct {
	Source       string   `json:"source"`
	Path         string   `json:"path"`
	Line         int      `json:"line"`
	Class        string   `json:"class"`
	Service      string   `json:"service"`
	Environments []string `json:"environments"`
	AtHEAD       bool     `json:"at_head"`
	Commit       string   `json:"commit,omitempty"`
	Image        string   `json:"image,omitempty"`
	Layer        *int     `json:"layer,omitempty"`
	CIVariable   string   `json:"ci_variable,omitempty"`
}

// JSONSeen is a dated appearance in git history.
type JSONSeen struct {
	Date   string `json:"date"`
	Commit string `json:"commit"`
	Author string `json:"author"`
	Path   string `json:"path"`
}

// JSONMigration says a literal in history was replaced by a reference at
// HEAD: the old value must still be rotated.
type JSONMigration struct {
	Path      string `json:"path"`
	Key       string `json:"key"`
	Class     string `json:"class"`
	Provider  string `json:"provider"`
	Reference string `json:"reference"`
	Advice    string `json:"advice"`
}

// JSONPolicy is what the gate and the lifecycle checks used.
type JSONPolicy struct {
	FailOn     string `json:"fail_on"`
	MaxAgeDays int    `json:"max_age_days"`
}

// JSONTaxonomy describes the NHI risks and NIST CSF 2.0 subcategories the
// report refers to.
type JSONTaxonomy struct {
	NHI     []classify.Risk   `json:"nhi"`
	NISTCSF map[string]string `json:"nist_csf"`
}

func jsonPolicy(r *Report) JSONPolicy {
	p := JSONPolicy{FailOn: string(failOn(r)), MaxAgeDays: int(classify.DefaultMaxAge / (24 * time.Hour))}
	if r.Inventory != nil && r.Inventory.MaxAge > 0 {
		p.MaxAgeDays = int(r.Inventory.MaxAge / (24 * time.Hour))
	}
	return p
}

func jsonTaxonomy() JSONTaxonomy {
	t := JSONTaxonomy{NHI: append([]classify.Risk{}, classify.Risks...), NISTCSF: map[string]string{}}
	for k, v := range classify.NISTCSF {
		t.NISTCSF[k] = v
	}
	return t
}

func jsonInventory(r *Report, opts Options) []JSONCredential {
	out := []JSONCredential{}
	if r.Inventory == nil {
		return out
	}
	for _, c := range r.Inventory.Credentials {
		jc := JSONCredential{
			ID: c.ID, Class: string(c.Class), Kind: "literal", RuleID: c.RuleID, Title: c.Title, Provider: c.Provider,
			Target: c.Target, Evidence: c.Evidence, NHI: nonNil(c.NHI), Keys: nonNil(c.Keys),
			FirstSeen: jsonSeen(c.FirstSeen), LastSeen: jsonSeen(c.LastSeen), AtHEAD: c.AtHEAD, HistoryOnly: c.HistoryOnly,
			Owners: nonNil(c.Owners), OwnerSource: c.OwnerSource, Environments: nonNil(c.Environments),
			Services: nonNil(c.Services), Sources: nonNil(c.Sources), Locations: []JSONCredentialLoc{},
		}
		if c.Reference {
			jc.Kind = "reference"
		} else {
			jc.Secret = credentialLabel(r, c, opts)
		}
		for _, l := range c.Locations {
			jc.Locations = append(jc.Locations, jsonCredentialLoc(l))
		}
		if m := c.Migrated; m != nil {
			jc.Migrated = &JSONMigration{Path: m.Path, Key: m.Key, Class: string(m.Class), Provider: m.Provider, Reference: m.Reference,
				Advice: "migrated — rotate the old value: it is still in every clone of the history"}
		}
		out = append(out, jc)
	}
	return out
}

func jsonCredentialLoc(l classify.Location) JSONCredentialLoc {
	j := JSONCredentialLoc{Source: string(l.Source), Path: l.Path, Line: l.Line, Class: string(l.Class), Service: l.Service,
		Environments: nonNil(l.Environments), AtHEAD: l.AtHEAD}
	if l.Git != nil {
		j.Commit = l.Git.Commit
	}
	if l.Image != nil {
		layer := l.Image.LayerIndex
		j.Image, j.Layer = l.Image.Reference, &layer
	}
	if l.CI != nil {
		j.CIVariable = l.CI.Variable
	}
	return j
}

func jsonSeen(s *classify.Seen) *JSONSeen {
	if s == nil {
		return nil
	}
	return &JSONSeen{Date: s.Date.Format(time.RFC3339), Commit: s.Commit, Author: s.Author, Path: s.Path}
}
