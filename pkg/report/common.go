package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/humanize"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// DefaultOptions are the options a scan uses unless told otherwise:
// secrets redacted, no colour, the default fingerprint key. The zero
// Options value does not redact, so callers should start from this.
func DefaultOptions() Options {
	return Options{Redact: true, FingerprintKey: []byte(DefaultFingerprintKey)}
}

// severities lists the severity levels, highest first.
var severities = []string{detect.SeverityCritical, detect.SeverityHigh, detect.SeverityMedium, detect.SeverityLow}

// noRule stands in for a finding's missing rule so that a malformed
// finding is still reported rather than crashing the writer.
var noRule = &detect.Rule{ID: "unknown", Title: "Unknown rule", Severity: detect.SeverityHigh}

func ruleOf(f classify.Finding) *detect.Rule {
	if f.Rule == nil {
		return noRule
	}
	return f.Rule
}

// noOrigin stands in for a finding's missing origin.
var noOrigin = &sources.Origin{}

func originOf(f classify.Finding) *sources.Origin {
	if f.Origin == nil {
		return noOrigin
	}
	return f.Origin
}

// historyOnly reports whether a git finding's secret is gone from HEAD.
func historyOnly(f classify.Finding) bool {
	g := originOf(f).Git
	return g != nil && !g.PresentAtHEAD
}

// placeKey identifies the exact place (file, blob at a commit, layer file,
// variable) a finding came from.
func placeKey(f classify.Finding) string {
	o := originOf(f)
	k := string(o.Source) + "\x00" + o.Path
	switch {
	case o.Git != nil:
		k += "\x00" + o.Git.Commit
	case o.Image != nil:
		k += fmt.Sprintf("\x00%s\x00%d", o.Image.Reference, o.Image.LayerIndex)
	case o.CI != nil:
		k += "\x00" + o.CI.Platform + "\x00" + o.CI.Scope + "\x00" + o.CI.Variable
	}
	return k
}

// shortSHA is the 7-character form of a commit id that git prints.
func shortSHA(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return commit
}

// counts is what the summaries of every format show.
type counts struct {
	bySeverity map[string]int
	byRule     map[string]int
}

func countFindings(findings []classify.Finding) counts {
	c := counts{bySeverity: map[string]int{}, byRule: map[string]int{}}
	for _, s := range severities {
		c.bySeverity[s] = 0
	}
	for _, f := range findings {
		r := ruleOf(f)
		c.bySeverity[r.Severity]++
		c.byRule[r.ID]++
	}
	return c
}

// ruleCount is one line of a by-rule summary.
type ruleCount struct {
	id string
	n  int
}

// topRules returns the rules with the most findings, ties by id.
func (c counts) topRules(limit int) []ruleCount {
	out := make([]ruleCount, 0, len(c.byRule))
	for id, n := range c.byRule {
		out = append(out, ruleCount{id, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].id < out[j].id
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// reportedRules returns the distinct rules of the findings, sorted by id.
func reportedRules(findings []classify.Finding) []*detect.Rule {
	seen := map[string]*detect.Rule{}
	for _, f := range findings {
		r := ruleOf(f)
		if _, ok := seen[r.ID]; !ok {
			seen[r.ID] = r
		}
	}
	out := make([]*detect.Rule, 0, len(seen))
	for _, r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// humanDuration rounds a duration to what a person wants to read.
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	default:
		return d.Round(time.Second).String()
	}
}

// plural picks a noun's singular or plural form.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return humanize.Count(n) + " " + many
}

// ensureSentence ends a text with a period, as SARIF viewers expect.
func ensureSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
