package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// The types below are the JSON report, schema version SchemaVersion,
// documented field by field in docs/json-report.md. They are exported so
// that baselines and other Go programs read the report with the same
// definitions that wrote it. Renaming or removing a field, or changing its
// meaning, is a new major schema version; adding one is not.

// JSONReport is the top-level object of a JSON report.
type JSONReport struct {
	SchemaVersion    string        `json:"schema_version"`
	Tool             JSONTool      `json:"tool"`
	Command          string        `json:"command"`
	Targets          []string      `json:"targets"`
	Started          string        `json:"started"`
	ElapsedMS        int64         `json:"elapsed_ms"`
	Redacted         bool          `json:"redacted"`
	FingerprintKeyID string        `json:"fingerprint_key_id"`
	Summary          JSONSummary   `json:"summary"`
	Findings         []JSONFinding `json:"findings"`
	// References, Inventory, Policy and Taxonomy came with the classifier
	// (additions, so still schema version 1: findings keep their meaning).
	References []JSONFinding    `json:"references"`
	Inventory  []JSONCredential `json:"inventory"`
	Policy     JSONPolicy       `json:"policy"`
	Taxonomy   JSONTaxonomy     `json:"taxonomy"`
}

// JSONTool names the scanner.
type JSONTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// JSONSummary counts what the scan read, found and skipped.
type JSONSummary struct {
	ItemsScanned int64             `json:"items_scanned"`
	BytesScanned int64             `json:"bytes_scanned"`
	Findings     int               `json:"findings"`
	ByRule       map[string]int    `json:"by_rule"`
	BySeverity   map[string]int    `json:"by_severity"`
	Skipped      map[string]int    `json:"skipped"`
	Warnings     []sources.Warning `json:"warnings"`
	Baselined    int               `json:"baselined"`
	References   int               `json:"references"`
	Credentials  int               `json:"credentials"`
	// Failing counts the occurrences the --fail-on gate counts.
	Failing int `json:"failing"`
	// ByClass counts occurrences (findings and references) per class;
	// ByNHI counts credentials per NHI risk.
	ByClass map[string]int `json:"by_class"`
	ByNHI   map[string]int `json:"by_nhi"`
}

// JSONFinding is one secret in one place.
type JSONFinding struct {
	Fingerprint string   `json:"fingerprint"`
	RuleID      string   `json:"rule_id"`
	Title       string   `json:"title"`
	Provider    string   `json:"provider"`
	Severity    string   `json:"severity"`
	Class       string   `json:"class"`
	Evidence    string   `json:"evidence"`
	NHI         []string `json:"nhi"`
	// OwnNHI lists the risks this occurrence shows by itself (a static
	// cloud key in a workflow that could use OIDC: NHI7), kept apart so
	// that a merge can work out the credential's risks again.
	OwnNHI   []string             `json:"own_nhi,omitempty"`
	Secret   string               `json:"secret"`
	Entropy  float64              `json:"entropy"`
	Decoded  string               `json:"decoded"`
	Location JSONLocation         `json:"location"`
	Git      *sources.GitOrigin   `json:"git,omitempty"`
	Image    *sources.ImageOrigin `json:"image,omitempty"`
	CI       *sources.CIOrigin    `json:"ci,omitempty"`
	Context  string               `json:"context"`
	// Key is the key or variable the value is assigned to, when known.
	Key string `json:"key"`
	// Reference is set on entries of references (and on unmanaged
	// references such as GitHub Actions vars): what the value points at.
	Reference *classify.Reference `json:"reference,omitempty"`
	// Credential is the inventory id this occurrence belongs to.
	Credential   string   `json:"credential"`
	Service      string   `json:"service"`
	Environments []string `json:"environments"`
	Owners       []string `json:"owners"`
}

// JSONLocation is where the secret starts and ends (1-based lines and byte
// columns, end inclusive) and its byte offset in the scanned item.
type JSONLocation struct {
	Source    string `json:"source"`
	Path      string `json:"path"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	Offset    int64  `json:"offset"`
}

// JSONWriter writes the JSON report.
type JSONWriter struct{}

// Write implements Writer.
func (JSONWriter) Write(w io.Writer, r *Report, opts Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Paths such as <stdin> and context lines read better unescaped, and
	// the report is never embedded in HTML.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(BuildJSON(r, opts)); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// BuildJSON turns a report into its JSON form. Every list and map is
// non-nil so that consumers always see [] or {} rather than null.
func BuildJSON(r *Report, opts Options) *JSONReport {
	c := countFindings(r.Findings)
	out := &JSONReport{
		SchemaVersion:    SchemaVersion,
		Tool:             JSONTool{Name: r.Tool.Name, Version: r.Tool.Version},
		Command:          r.Command,
		Targets:          append([]string{}, r.Targets...),
		Started:          r.Started.UTC().Format(time.RFC3339),
		ElapsedMS:        r.Elapsed.Milliseconds(),
		Redacted:         !opts.showsValues(),
		FingerprintKeyID: FingerprintKeyID(opts.FingerprintKey),
		Summary: JSONSummary{
			ItemsScanned: r.Stats.Items,
			BytesScanned: r.Stats.Bytes,
			Findings:     len(r.Findings),
			ByRule:       c.byRule,
			BySeverity:   c.bySeverity,
			Skipped:      map[string]int{},
			Warnings:     append([]sources.Warning{}, r.Stats.Warnings...),
			Baselined:    r.Baselined,
		},
		Findings:   make([]JSONFinding, 0, len(r.Findings)),
		References: make([]JSONFinding, 0, len(r.References)),
		Inventory:  jsonInventory(r, opts),
		Policy:     jsonPolicy(r),
		Taxonomy:   jsonTaxonomy(),
	}
	fillPosture(&out.Summary, r)
	for k, v := range r.Stats.Skipped {
		out.Summary.Skipped[k] = v
	}
	places := newNeighbours(r)
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, jsonFinding(f, places, opts))
	}
	for _, f := range r.References {
		out.References = append(out.References, jsonFinding(f, places, opts))
	}
	return out
}

func jsonFinding(f classify.Finding, places neighbours, opts Options) JSONFinding {
	rule, o := ruleOf(f), originOf(f)
	return JSONFinding{
		Fingerprint: Fingerprint(f, opts.FingerprintKey),
		RuleID:      rule.ID,
		Title:       rule.Title,
		Provider:    rule.Provider,
		Severity:    rule.Severity,
		Class:       string(f.Class),
		Evidence:    f.Evidence,
		NHI:         append([]string{}, f.NHI...),
		OwnNHI:      f.OwnNHI,
		Secret:      shownSecret(f, opts),
		// Three decimals are all entropy means; more would only make
		// reports differ between platforms.
		Entropy: math.Round(f.Entropy*1000) / 1000,
		Decoded: f.Decoded,
		Location: JSONLocation{
			Source:    string(o.Source),
			Path:      o.Path,
			Line:      f.Line,
			Column:    f.Column,
			EndLine:   f.EndLine,
			EndColumn: f.EndColumn,
			Offset:    f.Offset,
		},
		Git:          o.Git,
		Image:        o.Image,
		CI:           o.CI,
		Context:      places.context(f, opts),
		Key:          f.Key,
		Reference:    f.Reference,
		Credential:   f.Credential,
		Service:      f.Service,
		Environments: nonNil(f.Environments),
		Owners:       nonNil(f.Owners),
	}
}
