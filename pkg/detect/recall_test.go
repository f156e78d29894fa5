package detect

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

// TestRecallOnPeerVectors measures recall and false-positive rate on
// another scanner's published per-rule samples. The samples are not part
// of this repository: point SPRAWL_RECALL_VECTORS at a JSON-lines file of
// {"rule": "...", "kind": "tp"|"fp", "sample": "...", "path": "..."}
// records. Without it the test is skipped. It prints raw and adjusted
// rates (see recallTally for what is set apart, and why) and, with
// SPRAWL_RECALL_DETAIL set, a per-rule table and every miss and false
// positive. It fails only if the file cannot be read, since recall is a
// measurement, not a gate.
func TestRecallOnPeerVectors(t *testing.T) {
	path := os.Getenv("SPRAWL_RECALL_VECTORS")
	if path == "" {
		t.Skip("SPRAWL_RECALL_VECTORS not set")
	}
	vectors, err := readPeerVectors(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(all, Options{Decode: true})
	if err != nil {
		t.Fatal(err)
	}
	// The same rules without their format checks tell a sample the
	// pattern recognises but a published checksum rejects from a miss.
	unchecked, err := NewEngine(withoutValidators(all), Options{Decode: true})
	if err != nil {
		t.Fatal(err)
	}
	tally := newRecallTally(vectors)
	for i := range vectors {
		v := &vectors[i]
		v.found = scanSample(e, v)
		if v.Kind == "tp" && len(v.found) == 0 {
			v.rejectedBy = validatorRejecting(e, unchecked, v)
			v.why = whyMissed(e, v)
		}
	}
	tally.count(vectors)
	if os.Getenv("SPRAWL_RECALL_DETAIL") != "" {
		t.Log("\n" + tally.ruleTable() + tally.detailLines())
	}
	t.Log("\n" + tally.summary())
}

// peerVector is one sample of the peer scanner's rule generator, and what
// sprawl made of it.
type peerVector struct {
	Rule, Kind, Sample, Path string
	// Secrets are what the peer's own rule extracts from the sample.
	Secrets []string `json:"gitleaks_secrets"`

	found []Finding // with the full rule set
	// rejectedBy names the validator that turned a missed true positive
	// away, if one did; why is the engine's last reason for a miss.
	rejectedBy, why string
}

func readPeerVectors(path string) ([]peerVector, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []peerVector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v peerVector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, sc.Err()
}

func scanSample(e *Engine, v *peerVector) []Finding {
	name := v.Path
	if name == "" {
		name = "sample.txt"
	}
	return e.Scan(sources.Chunk{Data: []byte(v.Sample), Origin: &sources.Origin{Path: name}, StartLine: 1})
}

// validatorRejecting names the validator that rejected a sample's match:
// the engine's own trace says so, or the rules without validators find it
// (a base64-wrapped token is matched only after decoding, which the trace
// does not follow).
func validatorRejecting(e, unchecked *Engine, v *peerVector) string {
	for _, tr := range e.Check([]byte(v.Sample)) {
		if name, ok := strings.CutPrefix(tr.Detail, "validator "); ok && tr.Stage == "rejected" {
			name, _, _ = strings.Cut(name, ":")
			return name
		}
	}
	for _, f := range scanSample(unchecked, v) {
		if f.Rule.Validate != "" {
			return f.Rule.Validate
		}
	}
	return ""
}

// whyMissed gives the engine's last rejection of a missed sample, or says
// that no pattern matched it.
func whyMissed(e *Engine, v *peerVector) string {
	why := "no pattern matched"
	for _, tr := range e.Check([]byte(v.Sample)) {
		if tr.Stage == "rejected" {
			why = tr.RuleID + ": " + tr.Detail
		}
	}
	if len(why) > 90 {
		why = why[:90] + "..."
	}
	return why
}

// peerSecretsFail reports whether every secret the peer extracted fails a
// validator, read as is or, for base64-wrapped samples, once decoded: the
// sample is not a credential of that format even where sprawl's pattern
// does not match it.
func peerSecretsFail(validate Validator, secrets []string) bool {
	if validate == nil || len(secrets) == 0 {
		return false
	}
	for _, s := range secrets {
		if validate(s) == nil {
			return false
		}
		if raw, err := base64.StdEncoding.DecodeString(s); err == nil && validate(strings.TrimSpace(string(raw))) == nil {
			return false
		}
	}
	return true
}

// withoutValidators copies rules with their structural check removed.
func withoutValidators(all []*Rule) []*Rule {
	out := make([]*Rule, len(all))
	for i, r := range all {
		c := *r
		c.validator = nil
		out[i] = &c
	}
	return out
}
