package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// ReadJSON reads a JSON report written by sprawl, for merging: the
// findings and references come back as occurrences (secrets as the report
// holds them, redacted unless it was written with --no-redact), each with
// its credential id, so an inventory can be rebuilt without the values.
func ReadJSON(path string) (*JSONReport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	// The same checks a baseline gets: a foreign document is an error
	// that says what was expected.
	if _, err := parseBaseline(path, data); err != nil {
		return nil, err
	}
	var r JSONReport
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&r); err != nil {
		return nil, fmt.Errorf("report %s: %w", path, err)
	}
	return &r, nil
}

// Occurrences turns a report's findings and references back into
// classify findings. service names the report's scanned place for
// entries written before reports carried a service.
func (r *JSONReport) Occurrences(service string) []classify.Finding {
	var out []classify.Finding
	for _, list := range [][]JSONFinding{r.Findings, r.References} {
		for _, jf := range list {
			out = append(out, jf.occurrence(service))
		}
	}
	return out
}

func (jf JSONFinding) occurrence(service string) classify.Finding {
	rule := &detect.Rule{ID: jf.RuleID, Title: jf.Title, Provider: jf.Provider, Severity: jf.Severity}
	if jf.Reference != nil {
		rule.Tags = []string{"reference", jf.Class}
	}
	o := &sources.Origin{Source: sources.Kind(jf.Location.Source), Path: jf.Location.Path, Git: jf.Git, Image: jf.Image, CI: jf.CI}
	f := classify.Finding{
		Finding: detect.Finding{
			Rule: rule, Secret: jf.Secret, LineText: jf.Context, Origin: o, Decoded: jf.Decoded, Entropy: jf.Entropy,
			Line: jf.Location.Line, Column: jf.Location.Column, EndLine: jf.Location.EndLine, EndColumn: jf.Location.EndColumn,
			Offset: jf.Location.Offset,
		},
		Class:  classify.Class(jf.Class),
		OwnNHI: jf.OwnNHI,
		// A migration note is worked out again over the merged set.
		Evidence:     strings.SplitN(jf.Evidence, "; "+classify.MigratedNote, 2)[0],
		Key:          jf.Key,
		Reference:    jf.Reference,
		Credential:   jf.Credential,
		Service:      jf.Service,
		Environments: jf.Environments,
		Owners:       jf.Owners,
	}
	if f.Service == "" {
		f.Service = service
	}
	if f.Reference != nil {
		f.Secret = ""
	}
	return f
}
