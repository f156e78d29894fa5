package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// ciReport holds what sprawl ci reports: a literal in a GitLab variable
// and the name of a GitHub Actions secret.
func ciReport() *Report {
	kube := &sources.Origin{Source: sources.KindCI, Path: "gitlab:acme/app#KUBECONFIG@production", CI: &sources.CIOrigin{
		Platform: "gitlab", Scope: "acme/app", Level: "project", Variable: "KUBECONFIG", Environment: "production",
		VariableType: "file", Masked: false, Protected: false}}
	lit := finding(rulePass, secretPass, "    client-key-data: "+secretPass, kube, 9)
	lit.Evidence = "value of GitLab CI/CD variable KUBECONFIG (project acme/app), which is not masked"
	lit.Key = "KUBECONFIG"

	sec := &sources.Origin{Source: sources.KindCI, Path: "github:acme/api/env/production/secrets#DB_PASSWORD", CI: &sources.CIOrigin{
		Platform: "github", Scope: "acme/api", Level: "environment", Variable: "DB_PASSWORD", Environment: "production",
		NameOnly: true, UpdatedAt: time.Date(2020, 1, 10, 14, 59, 22, 0, time.UTC)}}
	ref := classify.Finding{
		Finding:   detect.Finding{Rule: &detect.Rule{ID: "github-actions-secret", Title: "GitHub Actions secret", Provider: "GitHub Actions", Severity: detect.SeverityLow}, Origin: sec, Line: 1, Column: 1, EndLine: 1, EndColumn: 1},
		Class:     classify.Externalized,
		Evidence:  "GitHub Actions secret DB_PASSWORD (environment acme/api, environment production)",
		Key:       "DB_PASSWORD",
		Reference: &classify.Reference{Pattern: "github-actions-secret", Provider: "GitHub Actions", Target: "DB_PASSWORD"},
	}
	r := &Report{Tool: Tool{Name: "sprawl", Version: "0.1.0"}, Command: "ci", Targets: []string{"gitlab:group acme", "github:repo acme/api"},
		Findings: []classify.Finding{lit}, References: []classify.Finding{ref}, Stats: sources.Snapshot{Items: 2, Bytes: 40}}
	r.Inventory = classify.BuildInventory(append([]classify.Finding{lit}, ref), classify.Policy{Key: testKey})
	return r
}

func TestCIOriginsInEveryFormat(t *testing.T) {
	for _, name := range FormatNames() {
		w, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w.Write(&buf, ciReport(), fixtureOptions()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := buf.String()
		if strings.Contains(out, secretPass) {
			t.Errorf("%s: redacted report shows the secret", name)
		}
		if !strings.Contains(out, "KUBECONFIG") {
			t.Errorf("%s: the variable is not named:\n%s", name, out)
		}
	}
}

func TestCIOriginTextHeading(t *testing.T) {
	var buf bytes.Buffer
	if err := (TextWriter{}).Write(&buf, ciReport(), fixtureOptions()); err != nil {
		t.Fatal(err)
	}
	want := "gitlab project acme/app variable KUBECONFIG (environment production)"
	if !strings.Contains(buf.String(), want) {
		t.Errorf("text report lacks %q:\n%s", want, buf.String())
	}
	if strings.Contains(buf.String(), "gitlab:acme/app#KUBECONFIG@production: ") {
		t.Errorf("heading repeats the walker's path:\n%s", buf.String())
	}
	buf.Reset()
	opts := fixtureOptions()
	opts.Inventory = true
	if err := (TextWriter{}).Write(&buf, ciReport(), opts); err != nil {
		t.Fatal(err)
	}
	if want := "github environment acme/api secret DB_PASSWORD (environment production)"; !strings.Contains(buf.String(), want) {
		t.Errorf("inventory view lacks %q:\n%s", want, buf.String())
	}
}

func TestCIOriginJSONAndSARIF(t *testing.T) {
	var buf bytes.Buffer
	if err := (JSONWriter{}).Write(&buf, ciReport(), fixtureOptions()); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Findings []struct {
			CI map[string]any `json:"ci"`
		} `json:"findings"`
		References []struct {
			CI map[string]any `json:"ci"`
		} `json:"references"`
	}
	if err := json.Unmarshal(buf.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Findings) != 1 || j.Findings[0].CI["variable_type"] != "file" || j.Findings[0].CI["level"] != "project" {
		t.Errorf("finding ci = %+v", j.Findings)
	}
	if len(j.References) != 1 || j.References[0].CI["name_only"] != true || j.References[0].CI["updated_at"] != "2020-01-10T14:59:22Z" {
		t.Errorf("reference ci = %+v", j.References)
	}
	if _, ok := j.Findings[0].CI["updated_at"]; ok {
		t.Error("a zero updated_at is written")
	}

	buf.Reset()
	if err := (SARIFWriter{}).Write(&buf, ciReport(), fixtureOptions()); err != nil {
		t.Fatal(err)
	}
	// A relative URI against %SRCROOT%: the ':' and '#' of the variable's
	// path are escaped, so it is not read as a scheme or a fragment.
	if !strings.Contains(buf.String(), `"uri": "gitlab%3Aacme/app%23KUBECONFIG%40production"`) {
		t.Errorf("SARIF artifact URI of a CI variable:\n%s", buf.String())
	}
}
