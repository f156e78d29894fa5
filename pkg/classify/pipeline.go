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
	switch {
	case lower == "jenkinsfile" || strings.HasPrefix(lower, "jenkinsfile.") || strings.HasSuffix(lower, ".jenkinsfile"):
		return Jenkins
	case !yml:
		return ""
	case inFolder(dir, "/.github/workflows/"), lower == "action.yml" || lower == "action.yaml":
		return GitHubActions
	case lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" || strings.HasSuffix(lower, ".gitlab-ci.yml") || underFolder(dir, "/.gitlab/ci/"):
		return GitLabCI
	case inFolder(dir, "/.circleci/"):
		return CircleCI
	case strings.HasPrefix(lower, "azure-pipelines") || underFolder(dir, "/.azure-pipelines/") || underFolder(dir, "/.azuredevops/"):
		return AzurePipelines
	case lower == "bitbucket-pipelines.yml" || lower == "bitbucket-pipelines.yaml":
		return BitbucketPipes
	case lower == ".travis.yml" || lower == ".travis.yaml":
		return TravisCI
	case lower == ".drone.yml" || lower == ".drone.yaml" || lower == ".woodpecker.yml" || lower == ".woodpecker.yaml" || inFolder(dir, "/.woodpecker/"):
		return DroneWoodpecker
	case inFolder(dir, "/.buildkite/") || lower == "buildkite.yml" || lower == "buildkite.yaml":
		return Buildkite
	}
	return ""
}

// inFolder reports whether dir (a path's folder with its trailing slash,
// or "") is the folder /name/ at any depth; underFolder whether it is
// that folder or inside it. Neither builds a string: this runs per chunk.
func inFolder(dir, folder string) bool {
	return dir == folder[1:] || strings.HasSuffix(dir, folder)
}

func underFolder(dir, folder string) bool {
	return strings.HasPrefix(dir, folder[1:]) || strings.Contains(dir, folder)
}
