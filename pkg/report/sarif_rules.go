package report

import (
	"fmt"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
)

// Rule metadata for SARIF: what GitHub shows on an alert's rule page and
// uses to rank it.

// defaultRemediation is the help for a rule that brings none of its own.
const defaultRemediation = "Revoke or rotate the credential at its provider, remove it from the code and from history, and load it at run time from a secrets manager."

// securitySeverity maps severities to the CVSS-like scores GitHub uses
// to rank security alerts (critical >= 9.0, high >= 7.0, medium >= 4.0).
var securitySeverity = map[string]string{
	detect.SeverityCritical: "9.5",
	detect.SeverityHigh:     "8.0",
	detect.SeverityMedium:   "5.5",
	detect.SeverityLow:      "3.0",
}

func sarifRuleOf(rule *detect.Rule) sarifRule {
	desc := rule.Description
	if desc == "" {
		desc = rule.Title + " written as a literal value in code, configuration, history, an image or a CI variable."
	}
	fix := rule.Remediation
	if fix == "" {
		fix = defaultRemediation
	}
	// "GitHub classic personal access token (GitHub)", or the bare title
	// for provider-neutral rules such as passwords and private keys.
	head, mdHead := rule.Title, "**"+rule.Title+"**"
	if rule.Provider != "" {
		head += " (" + rule.Provider + ")"
		mdHead += " (" + rule.Provider + ")"
	}
	help, helpMD := nhi2Help, nhi2HelpMarkdown
	if !leakRule(rule) {
		help, helpMD = referenceHelp, referenceHelp
	}
	return sarifRule{
		ID:               rule.ID,
		Name:             pascalCase(rule.ID),
		ShortDescription: sarifMessage{Text: ensureSentence(rule.Title)},
		FullDescription:  sarifMessage{Text: ensureSentence(desc)},
		Help: sarifMessage{
			Text: fmt.Sprintf("%s. %s\n\nRemediation: %s\n\n%s",
				head, ensureSentence(desc), ensureSentence(fix), help),
			Markdown: fmt.Sprintf("%s\n\n%s\n\n**Remediation:** %s\n\n%s",
				mdHead, ensureSentence(desc), ensureSentence(fix), helpMD),
		},
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(rule.Severity)},
		Properties: sarifRuleProperties{
			Tags:             ruleTags(rule),
			SecuritySeverity: securitySeverity[rule.Severity],
			Precision:        precision(rule),
			Provider:         rule.Provider,
			Severity:         rule.Severity,
		},
	}
}

const (
	nhi2Help         = "A credential kept as a literal in code, configuration or history is an OWASP NHI2 (Secret Leakage) risk."
	nhi2HelpMarkdown = "A credential kept as a literal in code, configuration or history is an [OWASP NHI2: Secret Leakage](https://owasp.org/www-project-non-human-identities-top-10/2025/2-secret-leakage/) risk."
)

// referenceHelp closes the help of a reference pattern's rule.
const referenceHelp = "sprawl lists references to secrets kept elsewhere so that the report is a complete inventory of credentials; a reference is not a leak."

// leakRule reports whether a rule's results are leaks (NHI2): every
// detection rule, and references to plain configuration stores, which the
// classifier tags "unmanaged".
func leakRule(rule *detect.Rule) bool {
	ref, unmanaged := false, false
	for _, t := range rule.Tags {
		ref = ref || t == "reference"
		unmanaged = unmanaged || t == string(classify.Unmanaged)
	}
	return !ref || unmanaged
}

func ruleTags(rule *detect.Rule) []string {
	tags := []string{"security", "secret", classify.NHI2}
	if !leakRule(rule) {
		tags = []string{"security", "secret-reference"}
	}
	seen := map[string]bool{}
	for _, t := range tags {
		seen[t] = true
	}
	for _, t := range append([]string{rule.Provider}, rule.Tags...) {
		if t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	return tags
}

// precision tells GitHub how far to trust a rule: a checksum or
// structural validator makes false positives rare, a generic keyword rule
// makes them common.
func precision(rule *detect.Rule) string {
	for _, t := range rule.Tags {
		if t == "generic" {
			return "medium"
		}
	}
	if rule.Validate != "" {
		return "very-high"
	}
	return "high"
}

func sarifLevel(severity string) string {
	switch severity {
	case detect.SeverityCritical, detect.SeverityHigh:
		return "error"
	case detect.SeverityLow:
		return "note"
	default:
		return "warning"
	}
}

// pascalCase turns a rule id such as "github-classic-pat" into the
// "GithubClassicPat" form SARIF viewers expect of a rule name.
func pascalCase(id string) string {
	var b strings.Builder
	upper := true
	for _, r := range id {
		switch {
		case r == '-' || r == '_' || r == '.' || r == ' ':
			upper = true
		case upper:
			b.WriteString(strings.ToUpper(string(r)))
			upper = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
