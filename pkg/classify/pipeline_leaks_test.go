package classify

import (
	"slices"
	"strings"
	"testing"
)

const leakWorkflow = `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      TOKEN: ${{ secrets.DEPLOY_TOKEN }}
    steps:
      - run: echo "${{ secrets.NPM_TOKEN }}"
      - run: |
          set -x
          curl -H "Authorization: Bearer $TOKEN" https://api.example.com
          echo "$TOKEN" | docker login --password-stdin
          echo "$TOKEN" >> "$GITHUB_ENV"
          echo "got $TOKEN" >&2
      - run: printenv
      - run: echo "$GITHUB_SHA"
`

// TestPipelineLogLeaks checks which script lines are leaks: printed
// secrets and traces are, a secret piped into a command or written to a
// file is not.
func TestPipelineLogLeaks(t *testing.T) {
	got := classifyPipeline(loadSet(t), ".github/workflows/deploy.yml", leakWorkflow)
	leaks := map[int]string{}
	for _, f := range got {
		if f.Reference != nil && strings.HasPrefix(f.Reference.Pattern, "ci-s") {
			leaks[f.Line] = f.Reference.Pattern
			if f.Class != Unmanaged || !slices.Contains(f.NHI, NHI2) || !strings.Contains(f.Evidence, "masks only the exact value") {
				t.Errorf("line %d: class %s NHI %v evidence %q", f.Line, f.Class, f.NHI, f.Evidence)
			}
			if f.Reference.Provider != "GitHub Actions" {
				t.Errorf("line %d: leak points at %s %q, want the GitHub Actions secret", f.Line, f.Reference.Provider, f.Reference.Target)
			}
		}
	}
	wantLeaks := map[int]string{8: "ci-secret-echo", 10: "ci-shell-trace", 14: "ci-secret-echo", 15: "ci-shell-trace"}
	if !mapsEqual(leaks, wantLeaks) {
		t.Errorf("leaks %v, want %v\n%s", leaks, wantLeaks, describe(got))
	}
}

func mapsEqual(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestPipelineOIDCHint checks that static cloud keys get NHI7 only where
// the job cannot request an OIDC token.
func TestPipelineOIDCHint(t *testing.T) {
	wf := `on: push
env:
  AWS_ACCESS_KEY_ID: ${{ secrets.AWS_KEY_ID }}
jobs:
  federated:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: google-github-actions/auth@v2
        with:
          credentials_json: ${{ secrets.GCP_SA }}
  static:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_KEY_ID }}
      - uses: azure/login@v2
        with:
          creds: ${{ secrets.AZURE_CREDENTIALS }}
`
	c := loadSet(t)
	hinted := func(text, path string) []int {
		var lines []int
		for _, f := range classifyPipeline(c, path, text) {
			if slices.Contains(f.OwnNHI, NHI7) {
				lines = append(lines, f.Line)
				if !strings.Contains(f.Evidence, "OIDC federation") {
					t.Errorf("line %d: evidence %q", f.Line, f.Evidence)
				}
			}
		}
		return lines
	}
	if got := hinted(wf, ".github/workflows/deploy.yml"); !slices.Equal(got, []int{3, 18, 21}) {
		t.Errorf("NHI7 hints at lines %v, want [3 18 21]", got)
	}
	allowed := strings.Replace(wf, "on: push\n", "on: push\npermissions: write-all\n", 1)
	// The static job has no permissions of its own, so it inherits the
	// workflow's write-all, which includes id-token.
	if got := hinted(allowed, ".github/workflows/deploy.yml"); len(got) != 0 {
		t.Errorf("with workflow write-all: hints at %v, want none", got)
	}
	if got := hinted(wf, "actions/login/action.yml"); len(got) != 0 {
		t.Errorf("a composite action's permissions are its caller's: hints at %v", got)
	}
}

// TestPipelineOIDCInventory checks that the hint survives the inventory,
// which recomputes every credential's NHI risks.
func TestPipelineOIDCInventory(t *testing.T) {
	c := loadSet(t)
	got := classifyPipeline(c, ".github/workflows/x.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET }}\n")
	inv := BuildInventory(got, Policy{})
	if len(inv.Credentials) != 1 || !slices.Contains(inv.Credentials[0].NHI, NHI7) || !slices.Contains(got[0].NHI, NHI7) {
		t.Fatalf("inventory lost the NHI7 hint: %+v", inv.Credentials)
	}
	if inv.Credentials[0].Class != Externalized {
		t.Errorf("the hint must not change the class: %s", inv.Credentials[0].Class)
	}
}

// TestPipelineMalformed checks that broken pipeline files fall back to
// the generic reading without a crash, and that a literal is still found.
func TestPipelineMalformed(t *testing.T) {
	c := loadSet(t)
	lit := "hunter2-" + "prod-Xk29q"
	for path, text := range map[string]string{
		".github/workflows/x.yml": "jobs:\n  a: [\n    env:\n      DB_PASSWORD: " + lit + "\n  steps: {{{\n",
		".gitlab-ci.yml":          "deploy:\n\tscript: - echo $X\n  variables:\n    DB_PASSWORD: " + lit + "\n",
		"Jenkinsfile":             "environment {\n  DB_PASSWORD = '" + lit + "'\n}}}}}\n{{{\nsh \"echo ${DB_PASSWORD}\n",
		".travis.yml":             "env:\n  global:\n    DB_PASSWORD: " + lit + "\n  - : : :\n",
	} {
		got := classifyPipeline(c, path, text)
		if !slices.ContainsFunc(got, func(f Finding) bool { return f.Class == Unmanaged && f.Line <= 4 }) {
			t.Errorf("%s: literal lost in a malformed file:\n%s", path, describe(got))
		}
	}
}

func TestGitLabLocalIncludes(t *testing.T) {
	got := GitLabLocalIncludes([]byte(`include:
  - local: /ci/build.yml
  - 'ci/test.yml'
  - remote: https://example.com/ci.yml
  - project: group/templates
    file: deploy.yml
  - https://example.com/other.yml
`))
	if !slices.Equal(got, []string{"ci/build.yml", "ci/test.yml"}) {
		t.Errorf("includes %v", got)
	}
	if got := GitLabLocalIncludes([]byte("include: .gitlab/ci/all.yml\n")); !slices.Equal(got, []string{".gitlab/ci/all.yml"}) {
		t.Errorf("single include %v", got)
	}
	if got := GitLabLocalIncludes([]byte("include: [\n")); got != nil {
		t.Errorf("malformed: %v", got)
	}
}
