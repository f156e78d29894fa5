package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ciReport is the part of the JSON report the pipeline tests read.
type ciReport struct {
	Findings   []ciOccurrence `json:"findings"`
	References []ciOccurrence `json:"references"`
}

type ciOccurrence struct {
	RuleID   string   `json:"rule_id"`
	Class    string   `json:"class"`
	NHI      []string `json:"nhi"`
	Evidence string   `json:"evidence"`
	Location struct {
		Path string `json:"path"`
		Line int    `json:"line"`
	} `json:"location"`
	Reference *struct {
		Provider string `json:"provider"`
		Target   string `json:"target"`
	} `json:"reference"`
}

// pipelineTree writes a project whose CI files hold each kind of
// credential. The AWS key is assembled here so that this file holds none.
func pipelineTree(t *testing.T) string {
	root := t.TempDir()
	awsKey := "AKIA" + "QYLPMN5HHHFPZAM2"
	writeFile(t, filepath.Join(root, ".github", "workflows", "ci.yml"), `name: ci
on: push
env:
  AWS_ACCESS_KEY_ID: `+awsKey+`
  AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET }}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: hashicorp/vault-action@v3
        with:
          url: https://vault.example.com
          secrets: |
            secret/data/ci npmToken | NPM_TOKEN
      - run: npm publish --token "$NPM_TOKEN"
      - run: echo "${{ secrets.DEPLOY_TOKEN }}"
`)
	writeFile(t, filepath.Join(root, ".gitlab-ci.yml"), `deploy:
  secrets:
    DATABASE_PASSWORD:
      vault: production/db/password@ops
  script:
    - set -x
    - ./migrate.sh --password "$DATABASE_PASSWORD"
`)
	writeFile(t, filepath.Join(root, "Jenkinsfile"), `pipeline {
  environment {
    DOCKER_PASSWORD = credentials('dockerhub-password')
  }
}
`)
	return root
}

// TestDirUnderstandsPipelines runs sprawl dir on a tree of pipeline files
// and checks class, line and NHI of what the CI readers add, in JSON,
// SARIF and text.
func TestDirUnderstandsPipelines(t *testing.T) {
	root := pipelineTree(t)
	r := runSprawl(t, root, "", "dir", ".", "--format", "json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (unmanaged findings)\nstderr: %s", r.code, r.stderr)
	}
	var rep ciReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	find := func(rule, path string, line int) *ciOccurrence {
		for _, list := range [][]ciOccurrence{rep.Findings, rep.References} {
			for i := range list {
				if o := &list[i]; o.RuleID == rule && o.Location.Path == path && o.Location.Line == line {
					return o
				}
			}
		}
		t.Errorf("no %s at %s:%d", rule, path, line)
		return nil
	}
	wf := ".github/workflows/ci.yml"
	checks := []struct {
		rule, path string
		line       int
		class      string
		nhi        []string
	}{
		{"aws-access-key-id", wf, 4, "unmanaged", []string{"NHI2", "NHI7"}},
		{"ref-github-actions-secret", wf, 5, "externalized", []string{"NHI7"}},
		{"ref-github-vault-action", wf, 14, "managed", nil},
		{"ref-ci-fetched-env", wf, 15, "managed", nil},
		{"ref-ci-secret-echo", wf, 16, "unmanaged", []string{"NHI2"}},
		// Managed, but set -x traces it into the log: its credential
		// is leaked (NHI2), at every place it occurs.
		{"ref-gitlab-secrets-vault", ".gitlab-ci.yml", 4, "managed", []string{"NHI2"}},
		{"ref-ci-shell-trace", ".gitlab-ci.yml", 6, "unmanaged", []string{"NHI2"}},
		{"ref-jenkins-credentials", "Jenkinsfile", 3, "externalized", nil},
	}
	for _, c := range checks {
		o := find(c.rule, c.path, c.line)
		if o == nil {
			continue
		}
		if o.Class != c.class || !slices.Equal(o.NHI, c.nhi) && !(len(o.NHI) == 0 && len(c.nhi) == 0) {
			t.Errorf("%s at %s:%d: class %s NHI %v, want %s %v", c.rule, c.path, c.line, o.Class, o.NHI, c.class, c.nhi)
		}
	}
	// A use of a fetched name is the fetch's credential: Vault, not the
	// environment.
	if o := find("ref-ci-fetched-env", wf, 15); o != nil && (o.Reference == nil || o.Reference.Provider != "HashiCorp Vault") {
		t.Errorf("fetched use points at %+v", o.Reference)
	}
	if o := find("ref-github-actions-secret", wf, 5); o != nil && !strings.Contains(o.Evidence, "role-to-assume") {
		t.Errorf("NHI7 evidence does not name the federation: %q", o.Evidence)
	}

	sarif := runSprawl(t, root, "", "dir", ".", "--format", "sarif")
	if !strings.Contains(sarif.stdout, `"NHI7"`) || !strings.Contains(sarif.stdout, "ref-ci-secret-echo") {
		t.Errorf("SARIF lacks the NHI7 hint or the log leak")
	}
	text := runSprawl(t, root, "", "dir", ".", "--no-color")
	if !strings.Contains(text.stdout, "NHI2 NHI7") || !strings.Contains(text.stdout, "Secret printed to the CI log") {
		t.Errorf("text report lacks the NHI7 hint or the log leak:\n%s", text.stdout)
	}
}
