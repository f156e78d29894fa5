package main

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// runCIFlags parses a ci command line with the scan replaced, in an
// environment that holds only env.
func runCIFlags(t *testing.T, env map[string]string, args ...string) (*ciOptions, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Getenv: func(k string) string { return env[k] }}
	var got *ciOptions
	cmd := NewCmdCI(ios, &globalOptions{}, func(o *ciOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(context.Background())
	return got, err
}

func TestCIDefaultsToPipelineFilesHere(t *testing.T) {
	o, err := runCIFlags(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Paths, []string{"."}) || o.wantsGitLab() || o.wantsGitHub() {
		t.Errorf("options = %+v", o)
	}
	// With an API flag, local files are scanned only when paths are given.
	o, err = runCIFlags(t, map[string]string{"GITLAB_TOKEN": "t"}, "--gitlab-group", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Paths) != 0 || o.gitlabToken != "t" {
		t.Errorf("options = %+v", o)
	}
	o, err = runCIFlags(t, map[string]string{"GITLAB_TOKEN": "t"}, "repo", "--gitlab-project", "a/b", "--gitlab-project", "7")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Paths, []string{"repo"}) || !reflect.DeepEqual(o.GitLabProjects, []string{"a/b", "7"}) {
		t.Errorf("options = %+v", o)
	}
	if want := []string{"repo", "gitlab:project a/b", "gitlab:project 7"}; !reflect.DeepEqual(o.targets(), want) {
		t.Errorf("targets = %v, want %v", o.targets(), want)
	}
}

func TestCIMissingTokenNamesTheVariable(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--gitlab-group", "acme"}, "GITLAB_TOKEN"},
		{[]string{"--gitlab-instance"}, "GITLAB_TOKEN"},
		{[]string{"--github-org", "acme"}, "GITHUB_TOKEN or GH_TOKEN"},
	} {
		_, err := runCIFlags(t, nil, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to name %s", tc.args, err, tc.want)
		}
	}
	o, err := runCIFlags(t, map[string]string{"GH_TOKEN": "gho_x"}, "--github-repo", "acme/api")
	if err != nil || o.githubToken != "gho_x" || o.githubTokenEnv != "GH_TOKEN" {
		t.Errorf("GH_TOKEN not used: %+v, %v", o, err)
	}
}

func TestCIBadURLOrRepoIsAUsageError(t *testing.T) {
	env := map[string]string{"GITLAB_TOKEN": "t", "GITHUB_TOKEN": "t"}
	for _, o := range []*ciOptions{
		{GitLabURL: "gitlab.example.com", GitLabGroups: []string{"g"}},
		{GitHubURL: "https://api.github.com", GitHubRepos: []string{"no-slash"}},
	} {
		if err := o.readTokens(&IOStreams{Getenv: func(k string) string { return env[k] }}); err != nil {
			t.Fatal(err)
		}
		if _, err := o.apiSources(sources.Limits{}, sources.NewStats()); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestListPipelineFiles(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{
		".gitlab-ci.yml", ".github/workflows/deploy.yml", "Jenkinsfile", "services/api/.gitlab-ci.yml",
		"config/app.yml", "src/main.go", "node_modules/some-action/action.yml", ".git/config",
	} {
		writeFile(t, filepath.Join(dir, p), "x: y\n")
	}
	named := filepath.Join(dir, "config", "app.yml")
	st := sources.NewStats()
	got, _ := listPipelineFiles([]string{dir, named, filepath.Join(dir, "missing")}, st)
	rel := relPaths(dir, got)
	want := []string{".github/workflows/deploy.yml", ".gitlab-ci.yml", "Jenkinsfile", "services/api/.gitlab-ci.yml", "config/app.yml"}
	if !reflect.DeepEqual(rel, want) {
		t.Errorf("pipeline files = %v, want %v", rel, want)
	}
	if ws := st.Snapshot().Warnings; len(ws) != 1 || !strings.Contains(ws[0].Place, "missing") {
		t.Errorf("warnings = %v", ws)
	}
}

// TestGitLabIncludesAreFollowed: a .gitlab-ci.yml's local includes are
// scanned as GitLab pipelines, globs and nested includes too; one that
// climbs out of the repository or does not exist is not read.
func TestGitLabIncludesAreFollowed(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".gitlab-ci.yml"), "include:\n  - local: ci/deploy.yml\n  - local: '/ci/jobs/*.yml'\n  - local: ../outside.yml\n  - local: ci/missing.yml\n  - remote: https://example.com/x.yml\n")
	writeFile(t, filepath.Join(dir, "ci", "deploy.yml"), "include:\n  local: ci/nested.yml\n")
	writeFile(t, filepath.Join(dir, "ci", "nested.yml"), "x: y\n")
	writeFile(t, filepath.Join(dir, "ci", "jobs", "a.yml"), "x: y\n")
	writeFile(t, filepath.Join(dir, "ci", "unrelated.yml"), "x: y\n")
	st := sources.NewStats()
	got, included := listPipelineFiles([]string{dir}, st)
	rel := relPaths(dir, got)
	want := []string{".gitlab-ci.yml", "ci/deploy.yml", "ci/jobs/a.yml", "ci/nested.yml"}
	if !reflect.DeepEqual(rel, want) {
		t.Errorf("pipeline files = %v, want %v", rel, want)
	}
	for _, p := range got[1:] {
		if !included[filepath.ToSlash(filepath.Clean(p))] {
			t.Errorf("%s is not marked as a GitLab include", p)
		}
	}
	if ws := st.Snapshot().Warnings; len(ws) != 1 || !strings.Contains(ws[0].Message, "ci/missing.yml") {
		t.Errorf("warnings = %v, want one about ci/missing.yml", ws)
	}
}

// TestCIReadsGitLabIncludeAsPipeline: a secret echoed in an included job
// file is a log leak, which only the GitLab pipeline reader reports.
func TestCIReadsGitLabIncludeAsPipeline(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".gitlab-ci.yml"), "include:\n  - local: ci/deploy.yml\n")
	writeFile(t, filepath.Join(dir, "ci", "deploy.yml"), "deploy:\n  script:\n    - echo \"token is $DEPLOY_TOKEN\"\n")
	r := runSprawl(t, dir, "", "ci", ".", "--format", "json", "--fail-on", "externalized")
	if !strings.Contains(r.stdout, "ref-ci-secret-echo") || !strings.Contains(r.stdout, "ci/deploy.yml") {
		t.Errorf("no log leak reported in the included file:\n%s\n%s", r.stdout, r.stderr)
	}
}

// relPaths returns paths relative to dir, slash-separated.
func relPaths(dir string, paths []string) []string {
	var rel []string
	for _, p := range paths {
		r, _ := filepath.Rel(dir, p)
		rel = append(rel, filepath.ToSlash(r))
	}
	return rel
}
