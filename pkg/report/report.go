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

// SchemaVersion is the version of the JSON report schema (docs/json-schema.md).
const SchemaVersion = "1"

// Report is everything one scan produced.
type Report struct {
	Tool     Tool
	Command  string // e.g. "dir"
	Targets  []string
	Findings []classify.Finding
	// Rules is the active rule set, for SARIF rule metadata.
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
	// Redact replaces secrets with a short prefix (the default).
	Redact bool
	// Color enables terminal styling in the text format.
	Color bool
	// Verbose lists every warning in the text summary.
	Verbose bool
	// FingerprintKey keys the hash that identifies a secret.
	FingerprintKey []byte
}

// Writer is one output format.
type Writer interface {
	Write(w io.Writer, r *Report, opts Options) error
}
