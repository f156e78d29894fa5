package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/files"
	"github.com/sprawl-sec/sprawl/pkg/sources/github"
	"github.com/sprawl-sec/sprawl/pkg/sources/gitlab"
)

// ciOptions are the flags of `sprawl ci`.
type ciOptions struct {
	Paths []string // pipeline files are looked for under these

	GitLabURL      string
	GitLabProjects []string
	GitLabGroups   []string
	GitLabInstance bool

	GitHubURL   string
	GitHubRepos []string
	GitHubOrgs  []string

	// Tokens, read from the environment only; never printed.
	gitlabToken, githubToken, githubTokenEnv string
}

func (o *ciOptions) wantsGitLab() bool {
	return len(o.GitLabProjects) > 0 || len(o.GitLabGroups) > 0 || o.GitLabInstance
}

func (o *ciOptions) wantsGitHub() bool { return len(o.GitHubRepos) > 0 || len(o.GitHubOrgs) > 0 }

// NewCmdCI scans CI pipeline files and, when asked, the CI platforms'
// variables through their APIs. runF replaces the scan in tests.
func NewCmdCI(ios *IOStreams, g *globalOptions, runF func(*ciOptions) error) *cobra.Command {
	opts := &ciOptions{}
	cmd := &cobra.Command{
		Use:   "ci [PATH...]",
		Short: "Scan CI pipeline files and, with flags, GitLab and GitHub CI variables through their APIs",
		Long: `Scan the CI pipeline files under PATH (default: the current folder):
.github/workflows, composite action.yml, .gitlab-ci.yml and its local includes,
.circleci, azure-pipelines.yml, bitbucket-pipelines.yml, Jenkinsfile, .travis.yml,
.drone.yml / .woodpecker.yml and .buildkite.

With --gitlab-* or --github-* flags, the platforms' CI variables are read
through their APIs (read-only) and each one is scanned as an item of its own:
GitLab project, group and instance variables with their masked, protected,
hidden, raw, type and environment-scope settings (a file variable is scanned
like a file), and GitHub Actions variables at organisation, repository and
environment level, plus the names of Actions secrets (their values are not
readable, which is how it should be) for the inventory. Pipeline files are then
scanned only when PATH arguments are given.

Tokens come from the environment only and are never printed:
GITLAB_TOKEN (read_api scope; Maintainer on projects, Owner on groups,
administrator for --gitlab-instance) and GITHUB_TOKEN or GH_TOKEN (fine-grained:
read access to Variables, Secrets, Environments and Metadata, and to the
organisation's Variables and Secrets for --github-org; classic: repo, plus
admin:org for organisations). A project or repository that cannot be read is a
warning and the scan goes on; when none can be read, the scan fails (exit 2).`,
		Example: `  sprawl ci                                       # pipeline files under the current folder
  GITLAB_TOKEN=... sprawl ci --gitlab-group acme --format json --output ci.json
  GITLAB_TOKEN=... sprawl ci --gitlab-url https://gitlab.example.com --gitlab-project acme/api
  GITHUB_TOKEN=... sprawl ci --github-org acme
  GITHUB_TOKEN=... sprawl ci . --github-repo acme/api   # the checkout's pipelines and the repository's variables`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(args) == 0 && !opts.wantsGitLab() && !opts.wantsGitHub() {
				opts.Paths = []string{"."}
			}
			if err := opts.readTokens(ios); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runCI(cmd, ios, g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.GitLabURL, "gitlab-url", gitlab.DefaultURL, "GitLab instance (a self-managed one: https://gitlab.example.com)")
	f.StringArrayVar(&opts.GitLabProjects, "gitlab-project", nil, "GitLab project id or path (group/sub/project) whose variables to read (repeatable)")
	f.StringArrayVar(&opts.GitLabGroups, "gitlab-group", nil, "GitLab group id or path: its variables and those of every project in it and its subgroups (repeatable)")
	f.BoolVar(&opts.GitLabInstance, "gitlab-instance", false, "read the instance-level variables (administrator token)")
	f.StringVar(&opts.GitHubURL, "github-url", github.DefaultURL, "GitHub API root (GitHub Enterprise Server: https://HOST/api/v3)")
	f.StringArrayVar(&opts.GitHubRepos, "github-repo", nil, "GitHub repository owner/name: Actions variables, environments' variables and secret names (repeatable)")
	f.StringArrayVar(&opts.GitHubOrgs, "github-org", nil, "GitHub organisation: its Actions variables and secret names, and every repository's (repeatable)")
	return cmd
}

// readTokens takes the tokens the chosen platforms need from the
// environment; a missing one is a usage error naming the variable.
func (o *ciOptions) readTokens(ios *IOStreams) error {
	if o.wantsGitLab() {
		if o.gitlabToken = ios.Getenv(gitlab.TokenEnv); o.gitlabToken == "" {
			return fmt.Errorf("reading GitLab variables needs a token: set %s (a personal, group or project access token with the read_api scope)", gitlab.TokenEnv)
		}
	}
	if o.wantsGitHub() {
		for _, name := range []string{"GITHUB_TOKEN", "GH_TOKEN"} {
			if o.githubToken = ios.Getenv(name); o.githubToken != "" {
				o.githubTokenEnv = name
				break
			}
		}
		if o.githubToken == "" {
			return fmt.Errorf("reading GitHub Actions variables needs a token: set GITHUB_TOKEN or GH_TOKEN (read access to Variables, Secrets, Environments and Metadata)")
		}
	}
	return nil
}

// targets name what the scan covers, for the report and for the message
// when nothing was scanned.
func (o *ciOptions) targets() []string {
	t := append([]string(nil), o.Paths...)
	if o.GitLabInstance {
		t = append(t, "gitlab:instance")
	}
	for _, g := range o.GitLabGroups {
		t = append(t, "gitlab:group "+g)
	}
	for _, p := range o.GitLabProjects {
		t = append(t, "gitlab:project "+p)
	}
	for _, org := range o.GitHubOrgs {
		t = append(t, "github:org "+org)
	}
	for _, r := range o.GitHubRepos {
		t = append(t, "github:repo "+r)
	}
	return t
}

func runCI(cmd *cobra.Command, ios *IOStreams, g *globalOptions, opts *ciOptions) error {
	configRoot := "."
	if len(opts.Paths) > 0 {
		configRoot = opts.Paths[0]
		if info, err := os.Stat(configRoot); err == nil && !info.IsDir() {
			configRoot = filepath.Dir(configRoot)
		}
	}
	// Check the URLs and names before anything is read.
	if _, err := opts.apiSources(sources.Limits{}, sources.NewStats()); err != nil {
		return err
	}
	// GitLab includes found while listing; filled before the walk starts
	// and only read while it runs.
	var included map[string]bool
	return runScan(cmd.Context(), ios, g, scanJob{
		command:    "ci",
		targets:    opts.targets(),
		configRoot: configRoot,
		pipelineOf: func(path string) classify.Platform {
			if included[path] {
				return classify.GitLabCI
			}
			return ""
		},
		newSource: func(eng *detect.Engine, lim sources.Limits, st *sources.Stats) sources.Source {
			var all []sources.Source
			if len(opts.Paths) > 0 {
				var pipelines []string
				pipelines, included = listPipelineFiles(opts.Paths, st)
				if len(pipelines) > 0 {
					all = append(all, files.New(files.Options{
						Roots: pipelines, Limits: lim, Exclude: eng.PathAllowed, Workers: g.Threads, Stats: st,
					}))
				}
			}
			api, _ := opts.apiSources(lim, st) // checked above
			return &ciSource{sources: append(all, api...)}
		},
	})
}

// apiSources builds the walkers of the platforms the flags ask for.
func (o *ciOptions) apiSources(lim sources.Limits, st *sources.Stats) ([]sources.Source, error) {
	var out []sources.Source
	if o.wantsGitLab() {
		w, err := gitlab.New(gitlab.Options{URL: o.GitLabURL, Token: o.gitlabToken, Projects: o.GitLabProjects,
			Groups: o.GitLabGroups, Instance: o.GitLabInstance, Limits: lim, Stats: st})
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	if o.wantsGitHub() {
		w, err := github.New(github.Options{URL: o.GitHubURL, Token: o.githubToken, TokenEnv: o.githubTokenEnv,
			Repos: o.GitHubRepos, Orgs: o.GitHubOrgs, Limits: lim, Stats: st})
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}
