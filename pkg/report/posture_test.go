package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// TestTextListsOnlyWhatFails: managed references are never listed as
// leaks; externalized ones are listed when the gate fails on them.
func TestTextListsOnlyWhatFails(t *testing.T) {
	r := fixtureReport()
	out := writeText(t, r, fixtureOptions())
	for _, hidden := range []string{"deploy/prod/k8s.yaml", "services/billing/prod/task.json", ".github/workflows/release.yml"} {
		if strings.Contains(out, hidden+"\n") {
			t.Errorf("default gate lists reference place %s as a finding", hidden)
		}
	}
	if !strings.Contains(out, "posture: 10 credentials: 6 unmanaged, 2 externalized, 2 managed") {
		t.Errorf("posture summary missing:\n%s", out)
	}
	r.FailOn = classify.Externalized
	out = writeText(t, r, fixtureOptions())
	if !strings.Contains(out, ".github/workflows/release.yml\n") || !strings.Contains(out, "NPM_TOKEN  externalized") {
		t.Errorf("--fail-on externalized does not list the externalized reference:\n%s", out)
	}
	if strings.Contains(out, "deploy/prod/k8s.yaml\n") {
		t.Errorf("a managed reference is listed as a finding")
	}
	if got := len(Failing(r)); got != 8 {
		t.Errorf("failing with --fail-on externalized = %d, want 6 findings + 2 externalized", got)
	}
}

func TestJSONCarriesReferencesAndInventory(t *testing.T) {
	got := BuildJSON(fixtureReport(), fixtureOptions())
	if len(got.References) != 5 || got.Summary.References != 5 || got.Summary.Failing != 6 {
		t.Fatalf("references %d, summary %+v", len(got.References), got.Summary)
	}
	if got.Summary.ByClass["managed"] != 3 || got.Summary.ByClass["externalized"] != 2 || got.Summary.ByClass["unmanaged"] != 6 {
		t.Errorf("by_class %v", got.Summary.ByClass)
	}
	for _, ref := range got.References {
		if ref.Reference == nil || ref.Class == "unmanaged" || ref.Evidence == "" || ref.Secret != "" || ref.Credential == "" {
			t.Errorf("reference entry %+v", ref)
		}
	}
	if got.Summary.Credentials != len(got.Inventory) || len(got.Inventory) != 10 {
		t.Errorf("%d credentials in the inventory", len(got.Inventory))
	}
	var arn, aws *JSONCredential
	for i, c := range got.Inventory {
		switch {
		case strings.HasPrefix(c.Target, "arn:aws:secretsmanager"):
			arn = &got.Inventory[i]
		case c.RuleID == "aws-access-key-id":
			aws = &got.Inventory[i]
		}
	}
	if arn == nil || strings.Join(arn.NHI, ",") != "NHI8,NHI9" || len(arn.Locations) != 2 || len(arn.Services) != 2 {
		t.Errorf("shared ARN credential: %+v", arn)
	}
	if aws == nil || aws.Migrated == nil || !aws.HistoryOnly || aws.FirstSeen == nil || aws.Secret != Redact(secretAWS) {
		t.Errorf("migrated AWS key: %+v", aws)
	}
	if got.Policy.FailOn != "unmanaged" || got.Policy.MaxAgeDays != 90 || len(got.Taxonomy.NHI) != 4 || got.Taxonomy.NISTCSF["PR.AA-01"] == "" {
		t.Errorf("policy %+v taxonomy %+v", got.Policy, got.Taxonomy)
	}
}

func TestInventoryView(t *testing.T) {
	opts := fixtureOptions()
	opts.Inventory = true
	out := writeText(t, fixtureReport(), opts)
	for _, want := range []string{
		"[MANAGED]  AWS Secrets Manager secret ARN reference  arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf  NHI8 NHI9",
		"- services/billing/prod/task.json:3",
		"- services/search/staging/task.json:3",
		"migrated — rotate the old value: key AWS_ACCESS_KEY_ID",
		"owners @acme/platform (CODEOWNERS)",
		"first seen 2024-01-15 9fceb02 Bob Builder",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inventory view lacks %q:\n%s", want, out)
		}
	}
	for _, s := range fixtureSecrets() {
		if strings.Contains(out, s) {
			t.Errorf("inventory view leaks a secret")
		}
	}
	var buf bytes.Buffer
	if err := (TextWriter{}).Write(&buf, &Report{Tool: Tool{Name: "sprawl"}}, opts); err != nil || !strings.HasPrefix(buf.String(), "no secrets found") {
		t.Errorf("empty inventory view = %q, %v", buf.String(), err)
	}
}
