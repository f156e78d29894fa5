package detect

// Trace is one step of the engine's reasoning about a sample, for rule
// authors (`sprawl rules check`).
type Trace struct {
	RuleID string
	Stage  string // keyword, regex, rejected, finding
	Detail string
}

// Check scans data and reports, rule by rule, which keywords hit, what the
// regex matched and why each match was kept or rejected.
func (e *Engine) Check(data []byte) []Trace {
	var out []Trace
	e.scanBytes(data, func(r *Rule, stage, detail string) {
		out = append(out, Trace{RuleID: r.ID, Stage: stage, Detail: detail})
	}, nil)
	return out
}

// Recognises reports whether any rule's pattern matches the line near one
// of its keywords, whatever the later checks decide (a failed checksum, an
// allowlisted value). It is Check without building the trace, for callers
// that only need the yes or no on a hot path.
func (e *Engine) Recognises(line []byte) bool {
	found := false
	e.keywords.Each(line, func(kw, start, end int) bool {
		h := hit{start: start, end: end}
		for _, ri := range e.kwRules[kw] {
			r := e.rules[ri]
			if r.FollowedBy != "" && !followedBy(line, h.end, r.FollowedBy) {
				continue
			}
			c := r.regexps()
			if c.err != nil {
				continue
			}
			h.rule = ri
			if ws, we := window(line, r, h); c.matchesAny(r, line[ws:we]) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}
