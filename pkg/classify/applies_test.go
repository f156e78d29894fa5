package classify

import (
	"fmt"
	"testing"
)

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
