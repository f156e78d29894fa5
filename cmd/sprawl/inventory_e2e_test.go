package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/report"
)

// The literal below is assembled so this file does not hold one.
var e2eLiteral = "Qz8-vR2m" + "K9-xLp4w"

// referenceTree holds only references: a managed one (Vault), an
// externalized one (an environment variable) and a managed platform
// token.
func referenceTree(t *testing.T) string {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "k8s/deploy.yaml"),
		"env:\n  - name: DB_PASSWORD\n    value: vault:secret/data/app/db#password\n")
	writeFile(t, filepath.Join(root, "docker-compose.yml"),
		"services:\n  app:\n    environment:\n      API_TOKEN: ${API_TOKEN}\n")
	return root
}

func fullReport(t *testing.T, out string) report.JSONReport {
	t.Helper()
	var r report.JSONReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	return r
}

// TestFailOn: references fail nothing by default; --fail-on externalized
// fails on the environment reference but never on the managed one.
func TestFailOn(t *testing.T) {
	root := referenceTree(t)
	if r := runSprawl(t, root, "", "dir", ".", "-q"); r.code != 0 {
		t.Fatalf("default gate on references only: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := runSprawl(t, root, "", "dir", ".", "-q", "--fail-on", "externalized")
	if r.code != 1 || !strings.Contains(r.stdout, "docker-compose.yml") || strings.Contains(r.stdout, "k8s/deploy.yaml\n") {
		t.Fatalf("--fail-on externalized: exit %d\n%s", r.code, r.stdout)
	}
	if r := runSprawl(t, root, "", "dir", ".", "--fail-on", "managed"); r.code != 2 {
		t.Errorf("--fail-on managed: exit %d, want a usage error", r.code)
	}
	if r := runSprawl(t, root, "", "dir", ".", "--max-age", "soon"); r.code != 2 {
		t.Errorf("--max-age soon: exit %d, want a usage error", r.code)
	}

	rep := fullReport(t, runSprawl(t, root, "", "dir", ".", "--format", "json").stdout)
	if len(rep.Findings) != 0 || len(rep.References) != 2 || rep.Summary.Failing != 0 {
		t.Fatalf("findings %d, references %d, failing %d", len(rep.Findings), len(rep.References), rep.Summary.Failing)
	}
	classes := map[string]string{}
	for _, ref := range rep.References {
		classes[ref.Reference.Pattern] = ref.Class
		if ref.Evidence == "" || ref.Credential == "" {
			t.Errorf("reference without evidence or credential: %+v", ref)
		}
	}
	if classes["vault-path"] != "managed" || classes["env-brace"] != "externalized" {
		t.Errorf("classes %v", classes)
	}

	// A literal fails the default gate.
	writeFile(t, filepath.Join(root, ".env"), "SMTP_PASSWORD="+e2eLiteral+"\n")
	r = runSprawl(t, root, "", "dir", ".")
	if r.code != 1 || strings.Contains(r.stdout, e2eLiteral) || !strings.Contains(r.stdout, "posture: 3 credentials: 1 unmanaged, 1 externalized, 1 managed") {
		t.Fatalf("literal: exit %d\n%s", r.code, r.stdout)
	}
	sarif := runSprawl(t, root, "", "dir", ".", "--format", "sarif").stdout
	if !strings.Contains(sarif, `"level": "note"`) || strings.Contains(sarif, e2eLiteral) {
		t.Errorf("SARIF lacks note-level references or leaks the literal")
	}
}

// TestInventoryFlagAndCommand: --inventory and sprawl inventory print the
// grouped view; one secret in two files is one credential.
func TestInventoryFlagAndCommand(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "deploy/prod/.env"), "SMTP_PASSWORD="+e2eLiteral+"\n")
	writeFile(t, filepath.Join(root, "deploy/dev/.env"), "SMTP_PASSWORD="+e2eLiteral+"\n")
	r := runSprawl(t, root, "", "dir", ".", "--inventory", "-q")
	if r.code != 1 || !strings.Contains(r.stdout, "[UNMANAGED]") || !strings.Contains(r.stdout, "2 locations in 1 service") ||
		!strings.Contains(r.stdout, "- deploy/dev/.env:1") || !strings.Contains(r.stdout, "NHI2 NHI8") || strings.Contains(r.stdout, e2eLiteral) {
		t.Fatalf("--inventory: exit %d\n%s", r.code, r.stdout)
	}
	out := filepath.Join(t.TempDir(), "r.json")
	runSprawl(t, root, "", "dir", ".", "--format", "json", "-o", out)
	inv := runSprawl(t, root, "", "inventory", out)
	if inv.code != 1 || !strings.Contains(inv.stdout, "2 locations in 1 service") {
		t.Fatalf("sprawl inventory: exit %d\n%s%s", inv.code, inv.stdout, inv.stderr)
	}
}

// TestMerge: the same literal in two repositories scanned separately is
// one credential with NHI9 once the reports are merged.
func TestMerge(t *testing.T) {
	reports := t.TempDir()
	var paths []string
	for _, repo := range []string{"billing", "search"} {
		root := filepath.Join(t.TempDir(), repo)
		writeFile(t, filepath.Join(root, "config/app.env"), "SMTP_PASSWORD="+e2eLiteral+"\n")
		p := filepath.Join(reports, repo+".json")
		if r := runSprawl(t, root, "", "dir", ".", "--format", "json", "-o", p); r.code != 1 {
			t.Fatalf("scan %s: exit %d %s", repo, r.code, r.stderr)
		}
		single := fullReport(t, runSprawl(t, root, "", "dir", ".", "--format", "json").stdout)
		if slices.Contains(single.Inventory[0].NHI, "NHI9") {
			t.Fatalf("one repository alone shows NHI9")
		}
		paths = append(paths, p)
	}
	r := runSprawl(t, reports, "", append([]string{"merge", "--format", "json"}, paths...)...)
	if r.code != 1 {
		t.Fatalf("merge: exit %d\n%s", r.code, r.stderr)
	}
	merged := fullReport(t, r.stdout)
	if len(merged.Inventory) != 1 || len(merged.Findings) != 2 {
		t.Fatalf("merged inventory %d credentials, %d findings", len(merged.Inventory), len(merged.Findings))
	}
	c := merged.Inventory[0]
	if !slices.Equal(c.Services, []string{"billing", "search"}) || !slices.Contains(c.NHI, "NHI9") || strings.Contains(r.stdout, e2eLiteral) {
		t.Errorf("merged credential %+v", c)
	}
	text := runSprawl(t, reports, "", append([]string{"merge"}, paths...)...)
	if !strings.Contains(text.stdout, "NHI9 NHI Reuse 1") {
		t.Errorf("merge text posture:\n%s", text.stdout)
	}
	// Reports made with another fingerprint key cannot be merged.
	bad := runSprawlEnv(t, reports, []string{report.FingerprintKeyEnv + "=other"}, append([]string{"merge"}, paths...)...)
	if bad.code != 2 || !strings.Contains(bad.stderr, "another fingerprint key") {
		t.Errorf("merge with another key: exit %d %s", bad.code, bad.stderr)
	}
}

// runSprawlEnv runs the binary with extra environment variables.
func runSprawlEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "NO_COLOR="), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}
