package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// secretPieces are the 6-byte windows of every fixture secret (the PEM
// armour lines are not secret, so its body stands for it): a report that
// shows none of them shows no part of any value. Runs of digits are left
// out: counts and line numbers have them too.
func secretPieces() []string {
	var out []string
	for _, s := range []string{secretGitHub, secretAWS, secretSlack, secretNPM, secretPass, secretPEMBody, slackEncoded} {
		for i := 0; i+6 <= len(s); i++ {
			if p := s[i : i+6]; strings.Trim(p, "0123456789-") != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// TestHideValuesShowsNoPartOfASecret writes the fixture in every format
// with HideValues, with Redact off to show that HideValues wins, and
// checks that no piece of a secret and no redacted prefix is in it.
func TestHideValuesShowsNoPartOfASecret(t *testing.T) {
	for _, format := range FormatNames() {
		for _, inventory := range []bool{false, true} {
			w, err := Lookup(format)
			if err != nil {
				t.Fatal(err)
			}
			opts := fixtureOptions()
			opts.Redact, opts.HideValues, opts.Inventory = false, true, inventory
			var b bytes.Buffer
			if err := w.Write(&b, fixtureReport(), opts); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out := b.String()
			// A reference's target is a name, which the report shows.
			for _, f := range fixtureReport().References {
				out = strings.ReplaceAll(out, f.Reference.Target, "")
			}
			if !strings.Contains(out, RedactMarker) {
				t.Errorf("%s: no %q: are the findings written at all?", format, RedactMarker)
			}
			for _, p := range secretPieces() {
				if strings.Contains(out, p) {
					t.Errorf("%s (inventory %v) shows %q, a piece of a secret", format, inventory, p)
					break
				}
			}
			for _, s := range fixtureSecrets() {
				if r := Redact(s); r != RedactMarker && strings.Contains(out, r) {
					t.Errorf("%s (inventory %v) shows the redacted prefix %q", format, inventory, r)
				}
			}
		}
	}
}

// TestHideValuesReportsSayRedacted checks the machine-readable flag: a
// consumer must not take a HideValues report for one with values.
func TestHideValuesReportsSayRedacted(t *testing.T) {
	opts := fixtureOptions()
	opts.Redact, opts.HideValues = false, true
	js := BuildJSON(fixtureReport(), opts)
	if !js.Redacted {
		t.Error("JSON report with HideValues says redacted: false")
	}
	for _, f := range js.Findings {
		if f.Context != "" || (f.Secret != "" && f.Secret != RedactMarker) {
			t.Errorf("%s: secret %q, context %q; want the marker and no context", f.RuleID, f.Secret, f.Context)
		}
	}
	var b bytes.Buffer
	if err := (SARIFWriter{}).Write(&b, fixtureReport(), opts); err != nil {
		t.Fatal(err)
	}
	var sarif struct {
		Runs []struct {
			Properties struct {
				Redacted bool `json:"redacted"`
			} `json:"properties"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &sarif); err != nil {
		t.Fatal(err)
	}
	if len(sarif.Runs) != 1 || !sarif.Runs[0].Properties.Redacted {
		t.Errorf("SARIF report with HideValues does not say redacted")
	}
}
