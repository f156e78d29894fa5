package classify

import (
	"fmt"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

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

// TestAppliesToAgreesWithDoublestar: matching name-only globs against the
// file's name gives what matching every glob against the whole path gives.
func TestAppliesToAgreesWithDoublestar(t *testing.T) {
	c := loadSet(t)
	paths := []string{"Makefile", "a/Makefile", "a/b/Makefile.inc", ".env", ".env.local", "x/.env.prod", "deploy.sh",
		"a/b/deploy.sh", "a/deploy.sh.txt", "azure-pipelines.yml", "sub/azure-pipelines-ci.yml", ".azure-pipelines/a.yml",
		"x/.azuredevops/b.yml", ".woodpecker/y.yml", "x/.woodpecker.yml", ".circleci/config.yml", "a/.circleci/config.yml",
		"Dockerfile.prod", "svc/Dockerfile", "bitbucket-pipelines.yml", "a/bitbucket-pipelines.yml", ".buildkite/p.yml", "README.md"}
	checked := 0
	for _, p := range c.set.Patterns {
		if len(p.Paths) == 0 || p.On == "pipeline" {
			continue
		}
		for _, path := range paths {
			want := false
			for _, g := range p.Paths {
				if ok, _ := doublestar.Match(g, path); ok {
					want = true
				}
			}
			if got := p.appliesTo(path); got != want {
				t.Errorf("%s: appliesTo(%q) = %v, doublestar says %v (globs %v)", p.ID, path, got, want, p.Paths)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no globbed pattern checked")
	}
}

// applies caches answers per path in a small table whose slots are
// reused: whatever paths come and go, every answer must be the one the
// pattern's globs give, including for a path that was evicted and comes
// back.
func TestAppliesCacheGivesEachPathItsOwnAnswers(t *testing.T) {
	c, err := New(mustReferences(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var restricted []int
	for pi, p := range c.set.Patterns {
		if len(p.Paths) > 0 && p.On != "pipeline" {
			restricted = append(restricted, pi)
		}
	}
	if len(restricted) == 0 {
		t.Fatal("no path-restricted reference pattern to test with")
	}
	paths := []string{".drone.yml", ".gitlab-ci.yml", "ci/Jenkinsfile", ".circleci/config.yml", "deploy.sh", "src/main.c"}
	for i := 0; i < 3*appliesCacheSlots; i++ {
		paths = append(paths, fmt.Sprintf("blob %040x", i))
	}
	paths = append(paths, ".drone.yml", ".gitlab-ci.yml", "deploy.sh") // evicted by now, most likely
	yes := 0
	for round := 0; round < 2; round++ {
		for _, path := range paths {
			for _, pi := range restricted {
				want := c.set.Patterns[pi].appliesTo(path)
				if got := c.applies(pi, path); got != want {
					t.Fatalf("applies(%s, %q) = %v, want %v", c.set.Patterns[pi].ID, path, got, want)
				}
				if want {
					yes++
				}
			}
		}
	}
	if yes == 0 {
		t.Fatal("no path applied: the test checks nothing")
	}
}
