package git

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// churnRepo makes a history where a few files are edited many times:
// secrets are added, kept, moved and removed, lines are inserted and
// deleted around them, so that a repack stores most versions as deltas.
func churnRepo(t testing.TB, seed int64) *fixture {
	return churnRepoSized(t, seed, 3, 120, 40)
}

// churnRepoSized is churnRepo with nfiles files of lines lines, over commits commits.
func churnRepoSized(t testing.TB, seed int64, nfiles, lines, commits int) *fixture {
	f := newFixture(t)
	r := rand.New(rand.NewSource(seed))
	files := map[string][]string{}
	var names []string
	for i := 0; i < nfiles; i++ {
		names = append(names, []string{"app/config.yaml", "app/main.go", "docs/notes.md"}[i%3]+strings.Repeat("x", i/3))
	}
	for _, n := range names {
		for i := 0; i < lines; i++ {
			files[n] = append(files[n], fmt.Sprintf("%s line %d: some ordinary text that repeats a lot", n, i))
		}
	}
	for c := 0; c < commits; c++ {
		for _, n := range names {
			lines := files[n]
			switch op := r.Intn(6); op {
			case 0: // a new secret somewhere
				at := r.Intn(len(lines))
				tok := fakePAT(fmt.Sprintf("churn-%d-%d-%s", seed, c, n))
				lines = append(lines[:at], append([]string{"token: " + tok}, lines[at:]...)...)
			case 1: // delete a line (perhaps a secret)
				at := r.Intn(len(lines))
				lines = append(lines[:at], lines[at+1:]...)
			case 2: // edit a line
				lines[r.Intn(len(lines))] = fmt.Sprintf("edited in commit %d", c)
			case 3: // move a block
				a := r.Intn(len(lines) - 10)
				block := append([]string{}, lines[a:a+5]...)
				lines = append(lines[:a], lines[a+5:]...)
				lines = append(lines, block...)
			}
			files[n] = lines
			f.write(n, strings.Join(lines, "\n")+"\n")
		}
		f.commit([]string{"Ann", "Ben", "Cid"}[c%3], fmt.Sprintf("change %d", c))
	}
	f.repack()
	return f
}

func summarize(found []Finding) []string {
	var out []string
	for _, x := range found {
		out = append(out, fmt.Sprintf("%s@%s:%d %q head=%v", x.Origin.Path, x.Origin.Git.Commit[:8], x.Match.Line, x.Match.Key, x.Origin.Git.PresentAtHEAD))
	}
	sort.Strings(out)
	return out
}

// TestPackWalkMatchesWholeBlobs checks that reading deltas by their edits
// (and skipping lines already read) finds exactly what reading every blob
// whole finds, on one worker and on several.
func TestPackWalkMatchesWholeBlobs(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			f := churnRepo(t, seed)
			find := testFinder(t)
			whole := summarize(scanObjects(t, f.dir, find))
			if len(whole) < 5 {
				t.Fatalf("only %d findings: the fixture does not exercise much", len(whole))
			}
			for _, workers := range []int{1, 4} {
				got, blobs, _ := scan(t, Options{Path: f.dir, Workers: workers}, find)
				if blobs.Mode != "packs" {
					t.Fatalf("mode %s", blobs.Mode)
				}
				if g := summarize(got); strings.Join(g, "\n") != strings.Join(whole, "\n") {
					t.Errorf("workers=%d: pack walk differs from whole blobs\npack:\n%s\nwhole:\n%s", workers, strings.Join(g, "\n"), strings.Join(whole, "\n"))
				}
			}
		})
	}
}
