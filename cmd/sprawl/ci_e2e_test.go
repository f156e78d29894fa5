package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	ciGitLabToken = "glpat-e2e-0123456789abcdefghij"
	ciGitHubToken = "ghp_e2eTokenValue0123456789abcdefghijkl"
)

// ciKubeconfig is a kubeconfig whose client-key-data is a fresh RSA key,
// base64-encoded as kubectl writes it.
func ciKubeconfig(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	return "apiVersion: v1\nkind: Config\nusers:\n- name: deployer\n  user:\n    client-key-data: " + base64.StdEncoding.EncodeToString(key) + "\n"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fakeGitLabAPI serves group acme with two projects: acme/app, readable,
// and acme/locked, which answers 403 as GitLab does to a Developer.
func fakeGitLabAPI(t *testing.T, kubeconfig string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("PRIVATE-TOKEN") != ciGitLabToken {
			writeJSON(w, 401, map[string]string{"message": "401 Unauthorized"})
			return
		}
		switch r.URL.EscapedPath() {
		case "/api/v4/groups/acme/variables":
			writeJSON(w, 200, []map[string]any{{"key": "REGION", "value": "eu-west-1", "variable_type": "env_var", "masked": false, "protected": false, "environment_scope": "*"}})
		case "/api/v4/groups/acme/projects":
			writeJSON(w, 200, []map[string]any{{"id": 1, "path_with_namespace": "acme/app"}, {"id": 2, "path_with_namespace": "acme/locked"}})
		case "/api/v4/projects/1/variables":
			writeJSON(w, 200, []map[string]any{
				{"key": "KUBECONFIG", "value": kubeconfig, "variable_type": "file", "masked": false, "protected": true, "environment_scope": "production"},
				{"key": "DEPLOY_PASSWORD", "value": "Zq8vR2mK-prod-9x", "variable_type": "env_var", "masked": true, "protected": false, "environment_scope": "*"},
			})
		case "/api/v4/projects/2/variables":
			writeJSON(w, 403, map[string]string{"message": "403 Forbidden"})
		default:
			writeJSON(w, 404, map[string]string{"message": "404 Not Found"})
		}
	}))
}

type ciJSON struct {
	Summary struct {
		Warnings []struct{ Place, Message string } `json:"warnings"`
	} `json:"summary"`
	Findings []struct {
		RuleID   string `json:"rule_id"`
		Class    string `json:"class"`
		Decoded  string `json:"decoded"`
		Evidence string `json:"evidence"`
		Location struct {
			Path string `json:"path"`
		} `json:"location"`
		CI map[string]any `json:"ci"`
	} `json:"findings"`
	References []struct {
		Class, Evidence string
		Secret          string
		Location        struct{ Path string } `json:"location"`
	} `json:"references"`
}

func TestCIGitLabGroupEndToEnd(t *testing.T) {
	srv := fakeGitLabAPI(t, ciKubeconfig(t))
	defer srv.Close()
	t.Setenv("GITLAB_TOKEN", ciGitLabToken)
	r := runSprawl(t, t.TempDir(), "", "ci", "--gitlab-url", srv.URL, "--gitlab-group", "acme", "--format", "json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (findings)\nstderr: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, ciGitLabToken) {
		t.Fatal("the token is in the output")
	}
	var rep ciJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	key := false
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.RuleID, "private-key") && f.Location.Path == "gitlab:acme/app#KUBECONFIG@production" {
			key = f.Decoded == "base64" && f.Class == "unmanaged" && f.CI["variable_type"] == "file" && strings.Contains(f.Evidence, "not masked")
		}
	}
	if !key {
		t.Errorf("the kubeconfig's private key is not reported as an unmanaged, base64-decoded finding: %+v", rep.Findings)
	}
	masked := false
	for _, f := range rep.References {
		if f.Location.Path == "gitlab:acme/app#DEPLOY_PASSWORD" {
			masked = f.Class == "externalized" && strings.Contains(f.Evidence, "anyone who can push a branch") && f.Secret != "Zq8vR2mK-prod-9x"
		}
	}
	if !masked {
		t.Errorf("the masked, unprotected variable is not an externalized occurrence that says any branch can read it: %+v", rep.References)
	}
	if len(rep.Summary.Warnings) != 1 || rep.Summary.Warnings[0].Place != "gitlab:project acme/locked" || !strings.Contains(rep.Summary.Warnings[0].Message, "403") {
		t.Errorf("warnings = %+v, want the 403 of acme/locked", rep.Summary.Warnings)
	}
}

func TestCIEveryTargetFailedExits2(t *testing.T) {
	srv := fakeGitLabAPI(t, "")
	defer srv.Close()
	t.Setenv("GITLAB_TOKEN", "glpat-revoked-token-value")
	r := runSprawl(t, t.TempDir(), "", "ci", "--gitlab-url", srv.URL, "--gitlab-group", "acme", "--gitlab-project", "acme/app")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\nstderr: %s", r.code, r.stderr)
	}
	for _, s := range []string{"every target failed", "401", "GITLAB_TOKEN"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr does not say %q:\n%s", s, r.stderr)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "glpat-revoked-token-value") {
		t.Error("the token is in the output")
	}
}

func TestCIGitHubRepoEndToEnd(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+ciGitHubToken {
			writeJSON(w, 401, map[string]string{"message": "Bad credentials"})
			return
		}
		switch r.URL.EscapedPath() {
		case "/repos/acme/api/actions/variables":
			writeJSON(w, 200, map[string]any{"total_count": 2, "variables": []map[string]any{
				{"name": "API_TOKEN", "value": "hunter2-prod-Xk29q", "created_at": "2020-01-10T14:59:22Z", "updated_at": "2020-01-10T14:59:22Z"},
				{"name": "AWS_REGION", "value": "eu-west-1", "created_at": "2020-01-10T14:59:22Z", "updated_at": "2020-01-10T14:59:22Z"}}})
		case "/repos/acme/api/actions/secrets":
			writeJSON(w, 200, map[string]any{"total_count": 1, "secrets": []map[string]any{{"name": "DB_PASSWORD", "created_at": "2020-01-10T14:59:22Z", "updated_at": "2020-01-10T14:59:22Z"}}})
		case "/repos/acme/api/environments":
			writeJSON(w, 200, map[string]any{"total_count": 0, "environments": []any{}})
		default:
			writeJSON(w, 404, map[string]string{"message": "Not Found"})
		}
	}))
	defer srv.Close()
	t.Setenv("GITHUB_TOKEN", ciGitHubToken)
	t.Setenv("GH_TOKEN", "")
	dir := t.TempDir()
	r := runSprawl(t, dir, "", "ci", "--github-url", srv.URL, "--github-repo", "acme/api", "--inventory")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	for _, s := range []string{"github repository acme/api variable API_TOKEN", "github repository acme/api secret DB_PASSWORD", "externalized"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("text inventory lacks %q:\n%s", s, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "AWS_REGION") || strings.Contains(r.stdout+r.stderr, ciGitHubToken) || strings.Contains(r.stdout, "hunter2-prod-Xk29q") {
		t.Errorf("plain configuration, the token or an unredacted value is shown:\n%s", r.stdout)
	}
	r = runSprawl(t, dir, "", "ci", "--github-url", srv.URL, "--github-repo", "acme/api", "--format", "sarif")
	if r.code != 1 || !strings.Contains(r.stdout, `"uri": "github%3Aacme/api/vars%23API_TOKEN"`) {
		t.Errorf("SARIF: exit %d, no artifact for the variable:\n%s", r.code, r.stdout)
	}
}

func TestCIMissingTokenExits2(t *testing.T) {
	t.Setenv("GITLAB_TOKEN", "")
	r := runSprawl(t, t.TempDir(), "", "ci", "--gitlab-group", "acme")
	if r.code != 2 || !strings.Contains(r.stderr, "GITLAB_TOKEN") {
		t.Errorf("exit %d, stderr %q; want 2 naming GITLAB_TOKEN", r.code, r.stderr)
	}
}

// TestCIProjectWithoutVariablesPasses: a project that answers with no
// variables was scanned; the gate passes rather than failing closed.
func TestCIProjectWithoutVariablesPasses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("PRIVATE-TOKEN") != "glpat-ok" {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
			return
		}
		writeJSON(w, http.StatusOK, []any{})
	}))
	defer srv.Close()
	t.Setenv("GITLAB_TOKEN", "glpat-ok")
	r := runSprawl(t, t.TempDir(), "", "ci", "--gitlab-url", srv.URL, "--gitlab-project", "acme/empty", "-q")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\nstderr: %s", r.code, r.stderr)
	}
	t.Setenv("GITLAB_TOKEN", "glpat-wrong")
	if r := runSprawl(t, t.TempDir(), "", "ci", "--gitlab-url", srv.URL, "--gitlab-project", "acme/empty", "-q"); r.code != 2 {
		t.Fatalf("unreadable project: exit %d, want 2", r.code)
	}
}
