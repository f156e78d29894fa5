package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// csvHeader names the CSV columns, in order. Adding a column at the end is
// compatible; renaming or reordering is not.
var csvHeader = []string{
	"fingerprint", "rule_id", "severity", "class", "provider", "path",
	"line", "column", "secret", "commit", "author", "date", "decoded",
	"nhi", "credential", "key", "reference",
}

// CSVWriter writes one row per finding, then one per reference (the class
// column tells them apart), for spreadsheets and ad-hoc scripts. encoding/csv does the quoting (commas, quotes, line breaks).
type CSVWriter struct{}

// Write implements Writer.
func (CSVWriter) Write(w io.Writer, r *Report, opts Options) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	for _, f := range append(append([]classify.Finding{}, r.Findings...), r.References...) {
		if err := cw.Write(csvRow(f, opts)); err != nil {
			return fmt.Errorf("write csv report: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

func csvRow(f classify.Finding, opts Options) []string {
	rule, o := ruleOf(f), originOf(f)
	var commit, author, date string
	if g := o.Git; g != nil {
		commit, author = g.Commit, g.Author
		if !g.Date.IsZero() {
			date = g.Date.UTC().Format(time.RFC3339)
		}
	}
	return []string{
		Fingerprint(f, opts.FingerprintKey),
		rule.ID,
		rule.Severity,
		string(f.Class),
		rule.Provider,
		neutralizeFormula(o.Path),
		strconv.Itoa(f.Line),
		strconv.Itoa(f.Column),
		shownSecret(f, opts),
		commit,
		neutralizeFormula(author),
		date,
		f.Decoded,
		strings.Join(f.NHI, " "),
		f.Credential,
		neutralizeFormula(f.Key),
		neutralizeFormula(referenceTarget(f)),
	}
}

func referenceTarget(f classify.Finding) string {
	if f.Reference == nil {
		return ""
	}
	return f.Reference.Provider + ": " + f.Reference.Target
}

// neutralizeFormula keeps a spreadsheet from running a cell as a formula.
// Paths and author names come from the scanned content, so whoever wrote
// that content chooses them; a leading quote makes the cell plain text.
// Secrets are left exact: they are what the reader needs to act on.
func neutralizeFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
