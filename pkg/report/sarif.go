package report

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// SARIFWriter writes SARIF 2.1.0 for GitHub code scanning.
//
// The rules array lists only the rules that have findings, not the whole
// active rule set: GitHub needs metadata only for rules it shows, the file
// stays small (uploads are size-limited and the rule set keeps growing),
// and ruleIndex values stay dense.
type SARIFWriter struct{}

// partialFingerprintKey versions sprawl's fingerprint in SARIF, so that a
// change of scheme shows up as a new key rather than as every alert
// closing and reopening.
const partialFingerprintKey = "sprawlSecret/v1"

// Write implements Writer.
func (SARIFWriter) Write(w io.Writer, r *Report, opts Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(buildSARIF(r, opts)); err != nil {
		return fmt.Errorf("write sarif report: %w", err)
	}
	return nil
}

func buildSARIF(r *Report, opts Options) *sarifLog {
	// References are results too (level note), so that code scanning
	// holds the whole inventory; only findings are errors or warnings.
	all := append(append([]classify.Finding{}, r.Findings...), r.References...)
	rules := reportedRules(all)
	index := make(map[string]int, len(rules))
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriverOf(r.Tool)},
		Invocations: []sarifInvocation{sarifInvocationOf(r)},
		OriginalURIBaseIDs: map[string]sarifArtifactLocation{
			srcRoot: srcRootLocation(r.Root),
		},
		Results:    make([]sarifResult, 0, len(all)),
		ColumnKind: "utf16CodeUnits",
		Properties: map[string]any{
			"command":       r.Command,
			"items_scanned": r.Stats.Items,
			"bytes_scanned": r.Stats.Bytes,
			"baselined":     r.Baselined,
			"redacted":      !opts.showsValues(),
			"fail_on":       string(failOn(r)),
			"references":    len(r.References),
			"nhi_taxonomy":  classify.Risks,
			"nist_csf":      classify.NISTCSF,
		},
	}
	if r.Inventory != nil {
		run.Properties["credentials"] = len(r.Inventory.Credentials)
	}
	for i, rule := range rules {
		index[rule.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(rule))
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []sarifRule{}
	}
	for _, f := range all {
		run.Results = append(run.Results, sarifResultOf(f, index[ruleOf(f).ID], opts))
	}
	return &sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}
}

func sarifDriverOf(t Tool) sarifDriver {
	d := sarifDriver{Name: t.Name, Version: sarifToolVersion(t.Version), InformationURI: t.URI}
	if d.Name == "" {
		d.Name = "sprawl"
	}
	if d.InformationURI == "" {
		d.InformationURI = "https://github.com/sprawl-sec/sprawl"
	}
	if semverRE.MatchString(d.Version) {
		d.SemanticVersion = d.Version
	}
	return d
}

// sarifToolVersion makes a version SARIF consumers can compare: they want
// it to start with a number, so "v1.2.3" becomes "1.2.3" and a development
// build ("dev", "", a commit) becomes a 0.0.0 pre-release.
func sarifToolVersion(v string) string {
	v = strings.TrimPrefix(v, "v")
	if v != "" && '0' <= v[0] && v[0] <= '9' {
		return v
	}
	pre := strings.Map(func(r rune) rune {
		if r < 128 && (isAlnum(byte(r)) || r == '.' || r == '-') {
			return r
		}
		return '-'
	}, v)
	if pre == "" {
		pre = "dev"
	}
	return "0.0.0-" + pre
}

// semverRE is the SemVer 2.0.0 grammar; development builds ("dev") have
// no semantic version and SARIF must not claim one.
var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)

func srcRootLocation(root string) sarifArtifactLocation {
	loc := sarifArtifactLocation{Description: &sarifMessage{Text: "The root of the scanned tree; result paths are relative to it."}}
	if root != "" {
		if uri, ok := absoluteFileURI(strings.TrimSuffix(root, "/") + "/"); ok {
			loc.URI = uri
		}
	}
	return loc
}

func sarifInvocationOf(r *Report) sarifInvocation {
	inv := sarifInvocation{ExecutionSuccessful: true}
	if !r.Started.IsZero() {
		inv.StartTimeUTC = r.Started.UTC().Format(time.RFC3339Nano)
		inv.EndTimeUTC = r.Started.Add(r.Elapsed).UTC().Format(time.RFC3339Nano)
	}
	for _, w := range r.Stats.Warnings {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:   "warning",
			Message: sarifMessage{Text: ensureSentence(w.Place + ": " + w.Message)},
		})
	}
	return inv
}

func sarifResultOf(f classify.Finding, ruleIndex int, opts Options) sarifResult {
	rule, o := ruleOf(f), originOf(f)
	props := map[string]any{
		"class":    string(f.Class),
		"evidence": f.Evidence,
		"nhi":      append([]string{}, f.NHI...),
		"provider": rule.Provider,
		"severity": rule.Severity,
		"decoded":  f.Decoded,
		"source":   string(o.Source),
	}
	if f.Credential != "" {
		props["credential"] = f.Credential
	}
	if f.Key != "" {
		props["key"] = f.Key
	}
	if f.Reference != nil {
		props["reference"] = f.Reference
	}
	if f.Service != "" {
		props["service"] = f.Service
	}
	if len(f.Environments) > 0 {
		props["environments"] = f.Environments
	}
	if o.Git != nil {
		props["git"] = o.Git
	}
	if o.Image != nil {
		props["image"] = o.Image
	}
	if o.CI != nil {
		props["ci"] = o.CI
	}
	return sarifResult{
		RuleID:    rule.ID,
		RuleIndex: ruleIndex,
		Level:     sarifResultLevel(f),
		Message:   sarifMessage{Text: sarifResultMessage(f, opts)},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
			ArtifactLocation: sarifArtifact(f),
			Region:           sarifRegionOf(f, !opts.showsValues()),
		}}},
		PartialFingerprints: map[string]string{partialFingerprintKey: Fingerprint(f, opts.FingerprintKey)},
		Properties:          props,
	}
}

// sarifResultLevel is the rule's level for a leak, and note for managed
// and externalized references, which are inventory rather than alerts.
func sarifResultLevel(f classify.Finding) string {
	if f.Class != classify.Unmanaged && f.Class != "" {
		return "note"
	}
	return sarifLevel(ruleOf(f).Severity)
}

// sarifResultMessage says what was found without the secret: the message
// is shown in pull-request annotations and alert lists, where a secret
// must not appear even with --no-redact (the region snippet carries it).
func sarifResultMessage(f classify.Finding, opts Options) string {
	rule, o := ruleOf(f), originOf(f)
	var b strings.Builder
	if f.Reference != nil {
		// A reference holds no value: its target is a name or an address.
		return ensureSentence(fmt.Sprintf("%s %q (%s): %s", rule.Title, f.Reference.Target, f.Class, f.Evidence))
	}
	fmt.Fprintf(&b, "%s %s (%s", rule.Title, redactedText(f.Secret, opts), f.Class)
	if f.Decoded != "" {
		fmt.Fprintf(&b, ", decoded from %s", f.Decoded)
	}
	b.WriteString(").")
	switch {
	case historyOnly(f):
		fmt.Fprintf(&b, " In git history only (commit %s); no longer present at HEAD, but the history still holds it, so revoke it.", shortSHA(o.Git.Commit))
	case o.Git != nil:
		fmt.Fprintf(&b, " In commit %s and still present at HEAD.", shortSHA(o.Git.Commit))
	case o.Image != nil:
		fmt.Fprintf(&b, " In image %s, %s.", o.Image.Reference, imagePlace(o.Image))
		if o.Image.DeletedIn > 0 {
			fmt.Fprintf(&b, " A later layer removed the file (%s): revoke it.", imageDeleted(o.Image))
		}
	case o.CI != nil:
		fmt.Fprintf(&b, " In %s variable %s (%s).", o.CI.Platform, o.CI.Variable, o.CI.Scope)
	}
	return b.String()
}
