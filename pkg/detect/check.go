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
	})
	return out
}
