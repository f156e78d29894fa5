package classify

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Risk describes one OWASP NHI Top 10 risk and the NIST CSF 2.0
// subcategories it bears on; reports carry this table as metadata.
type Risk struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	URL  string   `json:"url"`
	NIST []string `json:"nist_csf"`
	// Rule says, in one sentence, when sprawl reports the risk.
	Rule string `json:"rule"`
}

// NISTCSF names the NIST CSF 2.0 subcategories the risks refer to.
var NISTCSF = map[string]string{
	"PR.AA-01": "Identities and credentials for authorized users, services, and hardware are managed by the organization",
	"PR.AA-05": "Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties",
	"PR.DS-01": "The confidentiality, integrity, and availability of data-at-rest are protected",
	"PR.IR-01": "Networks and environments are protected from unauthorized logical access and usage",
	"ID.AM-08": "Systems, hardware, software, services, and data are managed throughout their life cycles",
}

// Risks is the taxonomy the inventory maps to.
var Risks = []Risk{
	{ID: NHI2, Name: "Secret Leakage", URL: "https://owasp.org/www-project-non-human-identities-top-10/2025/2-secret-leakage/",
		NIST: []string{"PR.AA-01", "PR.DS-01"}, Rule: "every unmanaged credential: a literal value, or a value kept in a plain configuration store"},
	{ID: NHI7, Name: "Long-Lived Secrets", URL: "https://owasp.org/www-project-non-human-identities-top-10/2025/7-long-lived-secrets/",
		NIST: []string{"PR.AA-01", "ID.AM-08"}, Rule: "an unmanaged credential still present whose first appearance in git history is older than the rotation policy (--max-age), or a static cloud key in a CI workflow that could use OIDC federation instead"},
	{ID: NHI8, Name: "Environment Isolation", URL: "https://owasp.org/www-project-non-human-identities-top-10/2025/8-environment-isolation/",
		NIST: []string{"PR.IR-01", "PR.AA-05"}, Rule: "one credential found in production and in a non-production context (paths, keys, CI environments, image tags)"},
	{ID: NHI9, Name: "NHI Reuse", URL: "https://owasp.org/www-project-non-human-identities-top-10/2025/9-nhi-reuse/",
		NIST: []string{"PR.AA-05", "PR.AA-01"}, Rule: "one credential found in more than one service, repository or image"},
}

// risks maps one credential to the NHI risks its data shows. Sameness
// across places is proven for literals (same value) and for references
// whose target is global (one ARN); a variable name reused in two places
// proves nothing, so NHI8 and NHI9 are not claimed for it.
func risks(c *Credential, pol Policy) []string {
	var out []string
	if c.Class == Unmanaged {
		out = append(out, NHI2)
		if c.AtHEAD && c.FirstSeen != nil && pol.Now.Sub(c.FirstSeen.Date) > pol.MaxAge {
			out = append(out, NHI7)
		}
	}
	provenSame := !c.Reference || c.Global
	if provenSame && mixesEnvironments(c.Environments) {
		out = append(out, NHI8)
	}
	if provenSame && len(c.Services) > 1 {
		out = append(out, NHI9)
	}
	sort.Strings(out)
	return out
}

// addRisks adds the risks of more that list does not hold yet, sorted.
func addRisks(list, more []string) []string {
	for _, r := range more {
		if !slices.Contains(list, r) {
			list = append(list, r)
			sort.Strings(list)
		}
	}
	return list
}

// MigratedNote starts the evidence a migrated literal carries.
const MigratedNote = "migrated — rotate the old value"

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// markMigrations finds literals that live only in history while the same
// key, in the same service, is a reference at HEAD: the code moved to a
// secret store, but the old value is in every clone and must be rotated.
func markMigrations(inv *Inventory, findings []Finding) {
	type place struct{ service, key string }
	current := map[place]*Finding{}
	for i := range findings {
		f := &findings[i]
		if f.Reference == nil || f.Origin == nil || f.Class == Unmanaged || !atHEAD(f.Origin) || f.Key == "" {
			continue
		}
		k := place{f.Service, NormalizeKey(f.Key)}
		// Several references for one key: keep the first path in order,
		// so the note does not depend on scan order.
		if prev, ok := current[k]; !ok || f.Origin.Path < prev.Origin.Path {
			current[k] = f
		}
	}
	for ci := range inv.Credentials {
		c := &inv.Credentials[ci]
		if c.Reference || !c.HistoryOnly {
			continue
		}
		for _, i := range c.Occurrences {
			f := &findings[i]
			ref, ok := current[place{f.Service, NormalizeKey(f.Key)}]
			if f.Key == "" || !ok {
				continue
			}
			c.Migrated = &Migration{Path: ref.Origin.Path, Key: ref.Key, Class: ref.Class, Provider: ref.Reference.Provider, Reference: ref.Rule.Title}
			note := fmt.Sprintf("; %s: key %s is now %s %s (%s) in %s, but this value stays in git history",
				MigratedNote, ref.Key, article(string(ref.Class)), ref.Class, ref.Rule.Title, ref.Origin.Path)
			for _, j := range c.Occurrences {
				findings[j].Evidence += note
			}
			c.Evidence += note
			break
		}
	}
}
