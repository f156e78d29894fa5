package detect

import (
	"fmt"
	"sort"
	"strings"
)

// recallTally sorts the peer samples into what they say about sprawl.
// Raw rates count every sample as the peer labelled it; adjusted rates set
// apart, by data rather than by a list:
//   - a true positive that a rule's pattern recognises but its validator
//     rejects (a GitHub token whose CRC32 is wrong is not a token: the peer
//     generates its samples from regexes, without checksums), or whose
//     peer-extracted secret fails the validator of the sprawl rule that
//     finds the peer rule's other samples (a "JWT" whose header is not
//     base64url JSON), counted under its own label;
//   - a missed true positive of a peer rule whose id ends in "-id": an
//     identifier, which sprawl deliberately does not report alone;
//   - a missed true positive whose sample is empty (the peer rule judges
//     the file name alone, such as a .p12 path): sprawl judges keystores
//     by their bytes whatever their name, and an empty file holds no key;
//   - a false-positive sample that is a genuine true positive of another
//     rule: the same text is a true positive of another peer rule, or
//     sprawl found it with a rule of the same provider family that is not
//     the one matching the peer rule's true positives (a valid Cloudflare
//     origin-CA key in the peer's list of non-API-keys).
type recallTally struct {
	rules map[string]*ruleTally
	// tpSamples maps a true-positive sample's text to its peer rules.
	tpSamples map[string][]string
	lines     []string
}

type ruleTally struct {
	tp, found, fp, flagged int
	rejected               map[string]int // validator name -> samples
	identifier             int            // missed samples of an identifier rule
	pathOnly               int            // missed samples with a path and no content
	otherTP                int            // flagged fp samples that are another rule's tp
	// counterpart is the sprawl rule that finds most of this rule's true
	// positives; provider is its provider.
	counterpart, provider string
	counterRule           *Rule
}

func newRecallTally(vectors []peerVector) *recallTally {
	t := &recallTally{rules: map[string]*ruleTally{}, tpSamples: map[string][]string{}}
	for _, v := range vectors {
		if v.Kind == "tp" {
			t.tpSamples[v.Sample] = append(t.tpSamples[v.Sample], v.Rule)
		}
	}
	return t
}

func (t *recallTally) rule(id string) *ruleTally {
	rt := t.rules[id]
	if rt == nil {
		rt = &ruleTally{rejected: map[string]int{}}
		t.rules[id] = rt
	}
	return rt
}

// count needs every sample scanned: a false positive is judged against
// the counterparts that the true positives establish.
func (t *recallTally) count(vectors []peerVector) {
	votes := map[string]map[*Rule]int{}
	for _, v := range vectors {
		if v.Kind != "tp" || len(v.found) == 0 {
			continue
		}
		if votes[v.Rule] == nil {
			votes[v.Rule] = map[*Rule]int{}
		}
		seen := map[*Rule]bool{}
		for _, f := range v.found {
			if !seen[f.Rule] {
				seen[f.Rule] = true
				votes[v.Rule][f.Rule]++
			}
		}
	}
	for id, byRule := range votes {
		var best *Rule
		for r, n := range byRule {
			if best == nil || n > byRule[best] || (n == byRule[best] && r.ID < best.ID) {
				best = r
			}
		}
		rt := t.rule(id)
		rt.counterpart, rt.provider, rt.counterRule = best.ID, best.Provider, best
	}
	for i := range vectors {
		v := &vectors[i]
		rt := t.rule(v.Rule)
		switch v.Kind {
		case "tp":
			t.countTP(rt, v)
		case "fp":
			t.countFP(rt, v)
		}
	}
}

func (t *recallTally) countTP(rt *ruleTally, v *peerVector) {
	rt.tp++
	switch {
	case len(v.found) > 0:
		rt.found++
	case v.Sample == "":
		rt.pathOnly++
		t.addLine("PATH %s (path only, no content): %q", v.Rule, v.Path)
	case v.rejectedBy != "":
		rt.rejected[v.rejectedBy]++
		t.addLine("REJECTED %s by validator %s: %.160q", v.Rule, v.rejectedBy, v.Sample)
	case rt.counterRule != nil && peerSecretsFail(rt.counterRule.validator, v.Secrets):
		name := rt.counterRule.Validate + " (peer's secret)"
		rt.rejected[name]++
		t.addLine("REJECTED %s by validator %s: %.160q", v.Rule, name, v.Sample)
	case strings.HasSuffix(v.Rule, "-id"):
		rt.identifier++
		t.addLine("ID   %s (identifier, not a credential): %.160q", v.Rule, v.Sample)
	default:
		t.addLine("MISS %s [%s]: %.160q", v.Rule, v.why, v.Sample)
	}
}

func (t *recallTally) countFP(rt *ruleTally, v *peerVector) {
	rt.fp++
	if len(v.found) == 0 {
		return
	}
	rt.flagged++
	if other := t.otherTP(rt, v); other != "" {
		rt.otherTP++
		t.addLine("FP/TP %s (%s) is %s: %.160q", v.Rule, v.found[0].Rule.ID, other, v.Sample)
		return
	}
	t.addLine("FP   %s (%s): %.160q", v.Rule, v.found[0].Rule.ID, v.Sample)
}

// otherTP says why a flagged false-positive sample is a genuine true
// positive of another rule, or returns "".
func (t *recallTally) otherTP(rt *ruleTally, v *peerVector) string {
	for _, id := range t.tpSamples[v.Sample] {
		if id != v.Rule {
			return "a tp sample of " + id
		}
	}
	family := peerFamily(v.Rule)
	for _, f := range v.found {
		if !f.Rule.isGeneric() && f.Rule.ID != rt.counterpart && providerIs(f.Rule.Provider, family) {
			return "a valid " + f.Rule.ID
		}
	}
	return ""
}

// peerFamily is the provider part of a peer rule id: what comes before
// the first '-'.
func peerFamily(id string) string {
	family, _, _ := strings.Cut(id, "-")
	return family
}

// providerIs reports whether a sprawl provider name is the peer family
// (whole name or one of its words, case ignored).
func providerIs(provider, family string) bool {
	words := strings.FieldsFunc(strings.ToLower(provider), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	if strings.Join(words, "") == family {
		return true
	}
	for _, w := range words {
		if w == family {
			return true
		}
	}
	return false
}

func (t *recallTally) addLine(format string, args ...any) {
	t.lines = append(t.lines, fmt.Sprintf(format, args...))
}

func (t *recallTally) ids() []string {
	ids := make([]string, 0, len(t.rules))
	for id := range t.rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// setApart is how many true positives adjusted recall leaves out.
func (rt *ruleTally) setApart() int {
	n := rt.identifier + rt.pathOnly
	for _, c := range rt.rejected {
		n += c
	}
	return n
}

func (rt *ruleTally) under90() bool {
	due := rt.tp - rt.setApart()
	return due > 0 && rt.found*10 < due*9
}

func (t *recallTally) ruleTable() string {
	var b strings.Builder
	for _, id := range t.ids() {
		rt := t.rules[id]
		note := ""
		if rt.setApart() > 0 {
			note = fmt.Sprintf("  set apart %d", rt.setApart())
		}
		if rt.under90() {
			note += "  <90%"
		}
		fmt.Fprintf(&b, "%-45s %-28s tp %3d/%-3d fp %2d/%-2d%s\n", id, rt.counterpart, rt.found, rt.tp, rt.flagged, rt.fp, note)
	}
	return b.String()
}

func (t *recallTally) detailLines() string { return strings.Join(t.lines, "\n") }

func (t *recallTally) summary() string {
	var all ruleTally
	all.rejected = map[string]int{}
	var idRules, pathRules, under90 []string
	for _, id := range t.ids() {
		rt := t.rules[id]
		all.tp += rt.tp
		all.found += rt.found
		all.fp += rt.fp
		all.flagged += rt.flagged
		all.otherTP += rt.otherTP
		all.identifier += rt.identifier
		all.pathOnly += rt.pathOnly
		for n, c := range rt.rejected {
			all.rejected[n] += c
		}
		if rt.identifier > 0 {
			idRules = append(idRules, id)
		}
		if rt.pathOnly > 0 {
			pathRules = append(pathRules, id)
		}
		if rt.under90() {
			under90 = append(under90, id)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "peer rules %d\n", len(t.rules))
	fmt.Fprintf(&b, "recall raw:      %d/%d true positives found (%.1f%%)\n", all.found, all.tp, pct(all.found, all.tp))
	fmt.Fprintf(&b, "  rejected by a validator (fails a published format check): %d %s\n", all.setApart()-all.identifier-all.pathOnly, formatCounts(all.rejected))
	fmt.Fprintf(&b, "  not covered: identifier, not a credential: %d (%s)\n", all.identifier, strings.Join(idRules, ", "))
	fmt.Fprintf(&b, "  not covered: a path with no content (keystores are judged by their bytes; an empty file holds no key): %d (%s)\n", all.pathOnly, strings.Join(pathRules, ", "))
	due := all.tp - all.setApart()
	fmt.Fprintf(&b, "recall adjusted: %d/%d (%.1f%%) without those\n", all.found, due, pct(all.found, due))
	fmt.Fprintf(&b, "false positives raw:      %d/%d flagged (%.1f%%)\n", all.flagged, all.fp, pct(all.flagged, all.fp))
	fmt.Fprintf(&b, "  fp sample that is another rule's tp: %d\n", all.otherTP)
	fmt.Fprintf(&b, "false positives adjusted: %d/%d (%.1f%%) without those\n",
		all.flagged-all.otherTP, all.fp-all.otherTP, pct(all.flagged-all.otherTP, all.fp-all.otherTP))
	fmt.Fprintf(&b, "peer rules under 90%% (adjusted): %d %s\n", len(under90), strings.Join(under90, " "))
	b.WriteString(t.providerSummary())
	return b.String()
}

// providerSummary groups peer rules by the provider of the sprawl rule
// that finds them (the peer family when none does) and lists those under
// 90% adjusted recall.
func (t *recallTally) providerSummary() string {
	type group struct {
		found, due int
		rules      []string
	}
	groups := map[string]*group{}
	for _, id := range t.ids() {
		rt := t.rules[id]
		if rt.tp == 0 {
			continue
		}
		name := rt.provider
		if name == "" {
			name = t.familyProvider(peerFamily(id))
		}
		g := groups[name]
		if g == nil {
			g = &group{}
			groups[name] = g
		}
		g.found += rt.found
		g.due += rt.tp - rt.setApart()
		if rt.under90() {
			g.rules = append(g.rules, fmt.Sprintf("%s %d/%d", id, rt.found, rt.tp-rt.setApart()))
		}
	}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	under := 0
	for _, n := range names {
		g := groups[n]
		if g.due > 0 && g.found*10 < g.due*9 {
			under++
			fmt.Fprintf(&b, "  %-30s %d/%d (%.1f%%): %s\n", n, g.found, g.due, pct(g.found, g.due), strings.Join(g.rules, ", "))
		}
	}
	return fmt.Sprintf("providers %d; under 90%% adjusted recall: %d\n", len(names), under) + b.String()
}

// familyProvider names the sprawl provider of a peer family for a peer
// rule none of whose samples sprawl finds, from the family's other rules.
func (t *recallTally) familyProvider(family string) string {
	for _, id := range t.ids() {
		if p := t.rules[id].provider; p != "" && peerFamily(id) == family && providerIs(p, family) {
			return p
		}
	}
	return "(none found) " + family
}

func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
