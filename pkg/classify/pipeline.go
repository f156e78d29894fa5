package classify

import (
	"path"
	"strings"
)

// Platform names the CI system a pipeline file belongs to.
type Platform string

// CI platforms whose pipeline files the classifier reads structurally.
const (
	GitHubActions   Platform = "GitHub Actions"
	GitLabCI        Platform = "GitLab CI"
	CircleCI        Platform = "CircleCI"
	AzurePipelines  Platform = "Azure Pipelines"
	BitbucketPipes  Platform = "Bitbucket Pipelines"
	Jenkins         Platform = "Jenkins"
	TravisCI        Platform = "Travis CI"
	DroneWoodpecker Platform = "Drone/Woodpecker"
	Buildkite       Platform = "Buildkite"
)

// IsPipelinePath reports whether a slash-separated relative path names a
// CI pipeline file (a workflow, a job definition, a Jenkinsfile).
func IsPipelinePath(p string) bool { return PlatformOf(p) != "" }

// PlatformOf names the CI platform a pipeline file belongs to, or "" for
// any other path. Only the path is looked at: this runs for every file
// of every scan, so it must not open or sniff anything. The names are the
// ones each platform looks for by default, plus the folders projects
// conventionally split their pipelines into.
func PlatformOf(p string) Platform {
	p = strings.TrimPrefix(strings.ReplaceAll(p, "\\", "/"), "./")
	dir, base := path.Split(p)
	lower := strings.ToLower(base)
	yml := strings.HasSuffix(lower, ".yml") || strings.HasSuffix(lower, ".yaml")
	// The folder holding the file, with a slash on both sides, so that
	// "x/.github/workflows/" and ".github/workflows/" both match.
	parent := "/" + dir
	switch {
	case lower == "jenkinsfile" || strings.HasPrefix(lower, "jenkinsfile.") || strings.HasSuffix(lower, ".jenkinsfile"):
		return Jenkins
	case !yml:
		return ""
	case strings.HasSuffix(parent, "/.github/workflows/"), lower == "action.yml" || lower == "action.yaml":
		return GitHubActions
	case lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" || strings.HasSuffix(lower, ".gitlab-ci.yml") || strings.Contains(parent, "/.gitlab/ci/"):
		return GitLabCI
	case strings.HasSuffix(parent, "/.circleci/"):
		return CircleCI
	case strings.HasPrefix(lower, "azure-pipelines") || strings.Contains(parent, "/.azure-pipelines/") || strings.Contains(parent, "/.azuredevops/"):
		return AzurePipelines
	case lower == "bitbucket-pipelines.yml" || lower == "bitbucket-pipelines.yaml":
		return BitbucketPipes
	case lower == ".travis.yml" || lower == ".travis.yaml":
		return TravisCI
	case lower == ".drone.yml" || lower == ".drone.yaml" || lower == ".woodpecker.yml" || lower == ".woodpecker.yaml" || strings.HasSuffix(parent, "/.woodpecker/"):
		return DroneWoodpecker
	case strings.HasSuffix(parent, "/.buildkite/") || lower == "buildkite.yml" || lower == "buildkite.yaml":
		return Buildkite
	}
	return ""
}
