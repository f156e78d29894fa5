package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/humanize"
)

// maxWarningsShown is how many warnings the summary lists without -v; a
// history scan can warn thousands of times and bury the findings.
const maxWarningsShown = 5

// maxRulesShown is how many rules the by-rule summary lists.
const maxRulesShown = 10

// itemNoun names what one scanned item is for a command, so the summary
// says "1,204 blobs" for a history scan rather than "files".
func itemNoun(command string, n int64) string {
	switch command {
	case "git", "history":
		return plural(n, "blob", "blobs")
	case "env":
		return plural(n, "variable", "variables")
	case "ci": // pipeline files and CI variables
		return plural(n, "item", "items")
	}
	return plural(n, "file", "files")
}

// writeClean prints the one line a scan without findings deserves.
func writeClean(b *bytes.Buffer, r *Report) {
	fmt.Fprintf(b, "no secrets found in %s (%s) in %s", itemNoun(r.Command, r.Stats.Items), humanize.Bytes(r.Stats.Bytes), humanDuration(r.Elapsed))
	if r.Baselined > 0 {
		fmt.Fprintf(b, "; %s hidden by the baseline", plural(int64(r.Baselined), "known finding", "known findings"))
	}
	b.WriteString("\n")
}

func writeTextSummary(b *bytes.Buffer, r *Report, failing []classify.Finding, st textStyles) {
	c := countFindings(failing)
	var sev []string
	for _, s := range severities {
		if n := c.bySeverity[s]; n > 0 {
			sev = append(sev, fmt.Sprintf("%d %s", n, s))
		}
	}
	fmt.Fprintf(b, "%s: %s\n", st.heading.Render(plural(int64(len(failing)), "secret found", "secrets found")), strings.Join(sev, ", "))
	fmt.Fprintf(b, "scanned %s (%s) in %s\n", itemNoun(r.Command, r.Stats.Items), humanize.Bytes(r.Stats.Bytes), humanDuration(r.Elapsed))
	if r.Baselined > 0 {
		fmt.Fprintf(b, "baseline: %s hidden\n", plural(int64(r.Baselined), "known finding", "known findings"))
	}
	top := c.topRules(maxRulesShown)
	width := 0
	for _, rc := range top {
		width = max(width, len(rc.id))
	}
	b.WriteString("by rule:\n")
	for _, rc := range top {
		fmt.Fprintf(b, "  %-*s %d\n", width, rc.id, rc.n)
	}
	if more := len(c.byRule) - len(top); more > 0 {
		fmt.Fprintf(b, "  %s\n", st.dim.Render(fmt.Sprintf("and %s", plural(int64(more), "more rule", "more rules"))))
	}
}

// writeSkipsAndWarnings says what was not scanned and why, so that a
// clean result over a half-read tree is not mistaken for a clean tree.
func writeSkipsAndWarnings(b *bytes.Buffer, r *Report, st textStyles, opts Options) {
	if len(r.Stats.Skipped) > 0 {
		total := 0
		var parts []string
		for _, reason := range sortedKeys(r.Stats.Skipped) {
			n := r.Stats.Skipped[reason]
			total += n
			parts = append(parts, fmt.Sprintf("%d %s", n, reason))
		}
		fmt.Fprintf(b, "skipped %s: %s\n", plural(int64(total), "item", "items"), strings.Join(parts, ", "))
	}
	ws := r.Stats.Warnings
	if len(ws) == 0 {
		return
	}
	shown := ws
	if !opts.Verbose && len(shown) > maxWarningsShown {
		shown = shown[:maxWarningsShown]
	}
	fmt.Fprintf(b, "%s\n", st.warn.Render(plural(int64(len(ws)), "warning", "warnings")+":"))
	for _, w := range shown {
		fmt.Fprintf(b, "  %s: %s\n", printable(w.Place), printable(w.Message))
	}
	if hidden := len(ws) - len(shown); hidden > 0 {
		fmt.Fprintf(b, "  %s\n", st.dim.Render(fmt.Sprintf("… %d more; use -v to list them all", hidden)))
	}
}
