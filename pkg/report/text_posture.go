package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// maxSpreadShown is how many of the most spread secrets the posture lists.
const maxSpreadShown = 5

// writePosture ends the text report with what the inventory says about the
// whole scan: credentials by class, by source and by NHI risk, and the
// secrets that spread furthest.
func writePosture(b *bytes.Buffer, r *Report, st textStyles, opts Options) {
	if r.Inventory == nil || len(r.Inventory.Credentials) == 0 {
		return
	}
	p := postureOf(r)
	inv := r.Inventory
	fmt.Fprintf(b, "%s %s: %d unmanaged, %d externalized, %d managed\n", st.heading.Render("posture:"),
		plural(int64(len(inv.Credentials)), "credential", "credentials"),
		p.byClass[string(classify.Unmanaged)], p.byClass[string(classify.Externalized)], p.byClass[string(classify.Managed)])
	var srcs []string
	for _, k := range sortedKeys(p.bySource) {
		srcs = append(srcs, fmt.Sprintf("%s %d", k, p.bySource[k]))
	}
	fmt.Fprintf(b, "  by source:   %s\n", strings.Join(srcs, ", "))
	var risks []string
	for _, risk := range classify.Risks {
		risks = append(risks, fmt.Sprintf("%s %s %d", risk.ID, risk.Name, p.byNHI[risk.ID]))
	}
	fmt.Fprintf(b, "  by NHI risk: %s\n", strings.Join(risks, ", "))
	migrated := 0
	for _, c := range inv.Credentials {
		if c.Migrated != nil {
			migrated++
		}
	}
	if migrated > 0 {
		fmt.Fprintf(b, "  %s\n", st.warn.Render(fmt.Sprintf("migrated: %s replaced by a reference at HEAD but still in history — rotate the old values",
			plural(int64(migrated), "credential", "credentials"))))
	}
	if len(p.spread) > 0 {
		b.WriteString("  top spread secrets:\n")
		for _, c := range p.spread[:min(len(p.spread), maxSpreadShown)] {
			fmt.Fprintf(b, "    %s  %s  %s in %s  %s\n", printable(credentialLabel(r, c, opts)), printable(c.Title),
				plural(int64(len(c.Locations)), "location", "locations"), plural(int64(len(c.Services)), "service", "services"),
				strings.Join(c.NHI, " "))
		}
	}
	fmt.Fprintf(b, "  %s\n", st.dim.Render(fmt.Sprintf("gate: --fail-on %s; rotation policy --max-age %dd; NIST CSF 2.0 PR.AA-01", failOn(r), jsonPolicy(r).MaxAgeDays)))
}

// writeInventoryView prints one entry per credential with every place it
// occurs, worst class first (sprawl inventory, --inventory).
func writeInventoryView(b *bytes.Buffer, r *Report, st textStyles, opts Options) {
	if r.Inventory == nil || len(r.Inventory.Credentials) == 0 {
		writeClean(b, r)
		return
	}
	for i, c := range r.Inventory.Credentials {
		if i > 0 {
			b.WriteString("\n")
		}
		head := fmt.Sprintf("%s %s  %s  %s", st.classBadge(c.Class), printable(c.Title), printable(credentialLabel(r, c, opts)), strings.Join(c.NHI, " "))
		fmt.Fprintln(b, strings.TrimRight(head, " "))
		facts := []string{"id " + c.ID, plural(int64(len(c.Locations)), "location", "locations") + " in " + plural(int64(len(c.Services)), "service", "services")}
		if len(c.Keys) > 0 {
			facts = append(facts, "key "+strings.Join(c.Keys, ","))
		}
		if len(c.Environments) > 0 {
			facts = append(facts, "env "+strings.Join(c.Environments, ","))
		}
		if len(c.Owners) > 0 {
			facts = append(facts, "owners "+strings.Join(c.Owners, ",")+" ("+c.OwnerSource+")")
		}
		fmt.Fprintf(b, "%s%s\n", indent, printable(strings.Join(facts, "  ")))
		if c.FirstSeen != nil {
			life := fmt.Sprintf("first seen %s %s %s", c.FirstSeen.Date.UTC().Format("2006-01-02"), shortSHA(c.FirstSeen.Commit), c.FirstSeen.Author)
			if c.LastSeen != nil && c.LastSeen.Commit != c.FirstSeen.Commit {
				life += fmt.Sprintf(", last seen %s %s", c.LastSeen.Date.UTC().Format("2006-01-02"), shortSHA(c.LastSeen.Commit))
			}
			fmt.Fprintf(b, "%s%s\n", indent, printable(life))
		}
		if c.HistoryOnly {
			fmt.Fprintf(b, "%s%s\n", indent, st.warn.Render("history only: gone from HEAD, still in every clone"))
		}
		if m := c.Migrated; m != nil {
			fmt.Fprintf(b, "%s%s\n", indent, st.warn.Render(printable(fmt.Sprintf("%s: key %s is now a %s reference (%s) in %s", classify.MigratedNote, m.Key, m.Class, m.Reference, m.Path))))
		}
		for _, l := range c.Locations {
			where := fmt.Sprintf("%s:%d", l.Path, l.Line)
			switch {
			case l.Git != nil:
				where += " commit " + shortSHA(l.Git.Commit)
			case l.Image != nil:
				where += fmt.Sprintf(" image %s layer %d", l.Image.Reference, l.Image.LayerIndex)
			case l.CI != nil:
				where = ciHeading(l.Path, l.CI)
			}
			fmt.Fprintf(b, "%s- %s  %s\n", indent, printable(where), st.dim.Render(string(l.Class)+" "+l.Service))
		}
	}
	b.WriteString("\n")
}

// classBadge is a fixed-width class label, like the severity badge.
func (s textStyles) classBadge(c classify.Class) string {
	switch c {
	case classify.Unmanaged:
		return s.severity("unmanaged")
	case classify.Externalized:
		return s.severity("external")
	}
	return s.severity(string(c))
}
