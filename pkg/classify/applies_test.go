package classify

import "testing"

// TestAppliesMatchesGlobs: the per-path cache gives the same answer as
// matching every pattern's globs, on first use and from the cache.
func TestAppliesMatchesGlobs(t *testing.T) {
	c := loadSet(t)
	paths := []string{"deploy.sh", "ci/.gitlab-ci.yml", ".gitlab-ci.yml", ".circleci/config.yml",
		"src/main.go", ".github/workflows/ci.yml", "bitbucket-pipelines.yml", "a/b/Dockerfile", "README.md"}
	withGlobs := 0
	for round := 0; round < 2; round++ {
		for _, path := range paths {
			for pi, p := range c.set.Patterns {
				if len(p.Paths) > 0 {
					withGlobs++
				}
				if got, want := c.applies(pi, path), p.appliesTo(path); got != want {
					t.Errorf("round %d: applies(%s, %s) = %v, want %v", round, p.ID, path, got, want)
				}
			}
		}
	}
	if withGlobs == 0 {
		t.Fatal("no pattern has path globs: the cache is not exercised")
	}
}
