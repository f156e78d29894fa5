package classify

import "testing"

func TestPlatformOf(t *testing.T) {
	cases := map[string]Platform{
		".github/workflows/ci.yml":           GitHubActions,
		"./.github/workflows/release.yaml":   GitHubActions,
		"svc/a/.github/workflows/deploy.yml": GitHubActions,
		"actions/setup/action.yml":           GitHubActions,
		".gitlab-ci.yml":                     GitLabCI,
		"ci/deploy.gitlab-ci.yml":            GitLabCI,
		".gitlab/ci/build.yml":               GitLabCI,
		".circleci/config.yml":               CircleCI,
		"azure-pipelines.yml":                AzurePipelines,
		"azure-pipelines-release.yaml":       AzurePipelines,
		".azure-pipelines/build.yml":         AzurePipelines,
		"bitbucket-pipelines.yml":            BitbucketPipes,
		"Jenkinsfile":                        Jenkins,
		"ci/Jenkinsfile.release":             Jenkins,
		"deploy.jenkinsfile":                 Jenkins,
		".travis.yml":                        TravisCI,
		".drone.yml":                         DroneWoodpecker,
		".woodpecker.yaml":                   DroneWoodpecker,
		".woodpecker/test.yml":               DroneWoodpecker,
		".buildkite/pipeline.yml":            Buildkite,
		`windows\.github\workflows\ci.yml`:   GitHubActions,
		".github/workflows/README.md":        "",
		".github/workflows/sub/ci.yml":       "",
		".github/dependabot.yml":             "",
		"config/app.yml":                     "",
		"docs/.circleci-notes.yml":           "",
		"src/jenkins.go":                     "",
		"k8s/azure-pipelines-notes.md":       "",
		"":                                   "",
	}
	for p, want := range cases {
		if got := PlatformOf(p); got != want {
			t.Errorf("PlatformOf(%q) = %q, want %q", p, got, want)
		}
		if got := IsPipelinePath(p); got != (want != "") {
			t.Errorf("IsPipelinePath(%q) = %v", p, got)
		}
	}
}
