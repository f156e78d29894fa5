// Package report writes scan results in every output format, redacts
// secrets, computes fingerprints and applies baselines. It decides nothing
// about what is a finding.
package report

import (
	"io"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// SchemaVersion is the version of the JSON report schema (docs/json-report.md).
const SchemaVersion = "1"

// Report is everything one scan produced.
type Report struct {
	Tool    Tool
	Command string // e.g. "dir"
	Targets []string
	// Root is the absolute path of the scan root that finding paths are
	// relative to, when there is one; SARIF writes it as the file: URI of
	// %SRCROOT%. Empty leaves %SRCROOT% for the consumer to resolve (GitHub
	// resolves it to the checkout), and keeps local paths out of reports.
	Root string
	// Findings are the unmanaged occurrences: literal secrets, and values
	// kept in plain configuration stores. Every format reports them as
	// leaks (NHI2).
	Findings []classify.Finding
	// References are the externalized and managed occurrences: names of
	// secrets kept elsewhere. JSON, SARIF (level note) and CSV list them
	// so the report is a complete inventory; they are never leaks.
	References []classify.Finding
	// Inventory groups Findings and References into credentials; nil when
	// the caller built none.
	Inventory *classify.Inventory
	// FailOn is the class the gate fails on (and everything worse);
	// empty means unmanaged.
	FailOn classify.Class
	// Rules is the active rule set. The writers take rule metadata from
	// the findings themselves (SARIF lists only rules with findings), so
	// this is informational.
	Rules   []*detect.Rule
	Stats   sources.Snapshot
	Started time.Time
	Elapsed time.Duration
	// Baselined counts findings dropped because a baseline held them.
	Baselined int
}

// Tool names the scanner that wrote the report.
type Tool struct {
	Name    string
	Version string
	URI     string
}

// Options control how a report is written.
type Options struct {
	// Redact replaces secrets with a short prefix (the default: start
	// from DefaultOptions, since the zero value does not redact).
	Redact bool
	// HideValues shows no part of any secret, not even the prefix Redact
	// keeps, and no context line (the rest of the line may be more of the
	// value): for scans where every value is confidential by intent, such
	// as a process environment, and the variable name is what the report
	// is for. It overrides Redact.
	HideValues bool
	// Color enables terminal styling in the text format.
	Color bool
	// Verbose lists every warning in the text summary.
	Verbose bool
	// FingerprintKey keys the hash that identifies a secret; empty means
	// DefaultFingerprintKey. The command line sets it from
	// SPRAWL_FINGERPRINT_KEY (FingerprintKeyEnv) when that is set.
	FingerprintKey []byte
	// Inventory makes the text format print the grouped view (one entry
	// per credential with all its locations) instead of one per place.
	Inventory bool
}

// Writer is one output format.
type Writer interface {
	Write(w io.Writer, r *Report, opts Options) error
}
