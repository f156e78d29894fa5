package report

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
)

// GitLabWriter writes a GitLab secret detection report
// (gl-secret-detection-report.json), which GitLab reads from a job's
// artifacts:reports:secret_detection and shows in merge requests and the
// vulnerability report. It follows the security report schema version
// gitlabSchemaVersion; GitLab rejects a report that does not validate, so
// every field the schema requires is always filled in.
type GitLabWriter struct{}

// gitlabSchemaVersion is the security-report-schemas release the report
// declares and is checked against.
const gitlabSchemaVersion = "15.0.7"

// gitlabTimeLayout is the schema's date-time pattern: no zone, UTC.
const gitlabTimeLayout = "2006-01-02T15:04:05"

// gitlabNoCommit stands for "not from a commit": the schema requires a
// commit sha for every secret, and GitLab's own analyzer writes this value
// when it scans a working tree.
const gitlabNoCommit = "0000000"

// gitlabIDNamespace seeds the name-based UUIDs of vulnerabilities, so that
// the same finding gets the same id in every report.
var gitlabIDNamespace = [16]byte{0x5b, 0x1f, 0x0e, 0x8a, 0x2c, 0x44, 0x4d, 0x61, 0x9e, 0x07, 0x3a, 0xd2, 0x71, 0xc8, 0x16, 0xb9}

type gitlabReport struct {
	Version         string                `json:"version"`
	Scan            gitlabScan            `json:"scan"`
	Vulnerabilities []gitlabVulnerability `json:"vulnerabilities"`
}

type gitlabScan struct {
	Analyzer  gitlabTool `json:"analyzer"`
	Scanner   gitlabTool `json:"scanner"`
	Type      string     `json:"type"`
	StartTime string     `json:"start_time"`
	EndTime   string     `json:"end_time"`
	Status    string     `json:"status"`
}

type gitlabTool struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	URL     string       `json:"url,omitempty"`
	Version string       `json:"version"`
	Vendor  gitlabVendor `json:"vendor"`
}

type gitlabVendor struct {
	Name string `json:"name"`
}

type gitlabVulnerability struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	Description string             `json:"description"`
	Severity    string             `json:"severity"`
	Solution    string             `json:"solution,omitempty"`
	Identifiers []gitlabIdentifier `json:"identifiers"`
	Location    gitlabLocation     `json:"location"`
}

type gitlabIdentifier struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
	URL   string `json:"url,omitempty"`
}

type gitlabLocation struct {
	File      string       `json:"file"`
	StartLine int          `json:"start_line"`
	EndLine   int          `json:"end_line"`
	Commit    gitlabCommit `json:"commit"`
}

type gitlabCommit struct {
	SHA     string `json:"sha"`
	Author  string `json:"author,omitempty"`
	Date    string `json:"date,omitempty"`
	Message string `json:"message,omitempty"`
}

// Write implements Writer.
func (GitLabWriter) Write(w io.Writer, r *Report, opts Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(buildGitLab(r, opts)); err != nil {
		return fmt.Errorf("write gitlab report: %w", err)
	}
	return nil
}

func buildGitLab(r *Report, opts Options) *gitlabReport {
	tool := gitlabTool{
		ID:      "sprawl",
		Name:    gitlabNonEmpty(r.Tool.Name, "sprawl"),
		URL:     gitlabNonEmpty(r.Tool.URI, "https://github.com/sprawl-sec/sprawl"),
		Version: gitlabNonEmpty(r.Tool.Version, "unknown"),
		Vendor:  gitlabVendor{Name: "sprawl"},
	}
	out := &gitlabReport{
		Version: gitlabSchemaVersion,
		Scan: gitlabScan{
			Analyzer:  tool,
			Scanner:   tool,
			Type:      "secret_detection",
			StartTime: r.Started.UTC().Format(gitlabTimeLayout),
			EndTime:   r.Started.Add(r.Elapsed).UTC().Format(gitlabTimeLayout),
			Status:    "success",
		},
		Vulnerabilities: make([]gitlabVulnerability, 0, len(r.Findings)),
	}
	for _, f := range r.Findings {
		out.Vulnerabilities = append(out.Vulnerabilities, gitlabVulnerabilityOf(f, opts))
	}
	return out
}

func gitlabVulnerabilityOf(f classify.Finding, opts Options) gitlabVulnerability {
	rule, o := ruleOf(f), originOf(f)
	fp := Fingerprint(f, opts.FingerprintKey)
	loc := gitlabLocation{
		File:      gitlabFile(f),
		StartLine: max(f.Line, 1),
		EndLine:   max(f.EndLine, f.Line, 1),
		Commit:    gitlabCommit{SHA: gitlabNoCommit},
	}
	if g := o.Git; g != nil && g.Commit != "" {
		loc.Commit = gitlabCommit{SHA: g.Commit, Author: g.Author, Message: gitlabFirstLine(g.Message)}
		if !g.Date.IsZero() {
			loc.Commit.Date = g.Date.UTC().Format(time.RFC3339)
		}
	}
	ids := []gitlabIdentifier{
		// The primary identifier: GitLab tracks a vulnerability across
		// pipelines by it and the location.
		{Type: "sprawl_rule_id", Name: "sprawl rule " + rule.ID, Value: rule.ID,
			URL: "https://github.com/sprawl-sec/sprawl/tree/main/rules"},
		{Type: "cwe", Name: "CWE-798", Value: "798", URL: "https://cwe.mitre.org/data/definitions/798.html"},
	}
	for _, nhi := range f.NHI {
		ids = append(ids, gitlabIdentifier{Type: "owasp_nhi", Name: "OWASP " + nhi, Value: nhi,
			URL: "https://owasp.org/www-project-non-human-identities-top-10/"})
	}
	return gitlabVulnerability{
		ID:          nameUUID(fp + "\x00" + placeKey(f) + "\x00" + fmt.Sprint(f.Line, ":", f.Column)),
		Name:        gitlabNonEmpty(rule.Title, rule.ID),
		Description: gitlabDescription(f, fp, opts),
		Severity:    gitlabSeverity(rule.Severity),
		Solution:    gitlabNonEmpty(rule.Remediation, "Revoke the secret, issue a new one and keep it in a secrets manager instead of the repository."),
		Identifiers: ids,
		Location:    loc,
	}
}

// gitlabFile is the path GitLab links to. Findings from an image or a CI
// variable have no file in the repository; their place is still named.
func gitlabFile(f classify.Finding) string {
	o := originOf(f)
	switch {
	case o.Image != nil:
		return fmt.Sprintf("%s (layer %d) %s", o.Image.Reference, o.Image.LayerIndex, o.Path)
	case o.CI != nil && o.Path == "":
		return strings.Trim(o.CI.Platform+":"+o.CI.Scope+"/"+o.CI.Variable, ":/")
	case o.Path != "":
		return o.Path
	}
	return "<unknown>"
}

func gitlabDescription(f classify.Finding, fingerprint string, opts Options) string {
	rule, o := ruleOf(f), originOf(f)
	var b strings.Builder
	what := rule.Title
	if rule.Provider != "" {
		what += " (" + rule.Provider + ")"
	}
	fmt.Fprintf(&b, "%s found", gitlabNonEmpty(what, rule.ID))
	if f.Decoded != "" {
		fmt.Fprintf(&b, ", decoded from %s", f.Decoded)
	}
	b.WriteString(".")
	if f.Class != "" {
		fmt.Fprintf(&b, " Class: %s", f.Class)
		if f.Evidence != "" {
			fmt.Fprintf(&b, " (%s)", f.Evidence)
		}
		b.WriteString(".")
	}
	if g := o.Git; g != nil && !g.PresentAtHEAD {
		fmt.Fprintf(&b, " In history only (commit %s); it is no longer at HEAD but stays valid until revoked.", shortSHA(g.Commit))
	}
	if img := o.Image; img != nil && img.Deleted {
		b.WriteString(" Deleted in a later layer, but still in the image.")
	}
	fmt.Fprintf(&b, " Secret: %s. Fingerprint: %s.", secretText(f.Secret, opts), fingerprint)
	if rule.Description != "" {
		b.WriteString(" " + ensureSentence(rule.Description))
	}
	return b.String()
}

// gitlabSeverity maps sprawl's severities onto the schema's enumeration.
func gitlabSeverity(s string) string {
	switch s {
	case detect.SeverityCritical:
		return "Critical"
	case detect.SeverityHigh:
		return "High"
	case detect.SeverityMedium:
		return "Medium"
	case detect.SeverityLow:
		return "Low"
	}
	return "Unknown"
}

// nameUUID is a name-based (version 5, SHA-1) UUID of name in
// gitlabIDNamespace.
func nameUUID(name string) string {
	h := sha1.New()
	h.Write(gitlabIDNamespace[:])
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

func gitlabNonEmpty(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}

func gitlabFirstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}
