package git

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sprawl-sec/sprawl/pkg/detect"
)

// story is a repository with every case attribution must get right, and
// the findings it must produce.
type story struct {
	f       *fixture
	commits map[string]plumbing.Hash
	secrets map[string]string
	want    []wantFinding
}

type wantFinding struct {
	path, commit, author, subject, secret string
	line                                  int
	day                                   int
	head                                  bool
}

func bigText(n int, tag string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d of the handbook, %s revision, with enough words to be a line\n", i, tag)
	}
	return b.String()
}

func newStory(t *testing.T) *story {
	f := newFixture(t)
	s := &story{f: f, commits: map[string]plumbing.Hash{}, secrets: map[string]string{}}
	for _, k := range []string{"A", "B", "C", "D", "E", "S"} {
		s.secrets[k] = fakePAT("sprawl-history-" + k)
	}
	big := strings.Split(bigText(300, "first"), "\n")
	withSecret := func(lines []string) string {
		out := append([]string{}, lines[:150]...)
		out = append(out, "deploy_token = "+s.secrets["S"])
		out = append(out, lines[150:]...)
		return strings.Join(out, "\n")
	}
	f.write("config.env", "APP=demo\nGITHUB_TOKEN="+s.secrets["A"]+"\n")
	f.write("docs/big.txt", strings.Join(big, "\n"))
	s.commits["c1"] = f.commit("Alice", "add config\n\nbody line")
	f.write("docs/big.txt", withSecret(big))
	s.commits["c2"] = f.commit("Bob", "document the deploy")
	f.write("config.env", "APP=demo\nGITHUB_TOKEN="+s.secrets["A"]+"\nDEBUG=1\n")
	f.move("config.env", "settings.env")
	s.commits["c3"] = f.commit("Alice", "rename config")
	f.tag("v1", s.commits["c3"])
	big[10] = "an edited line far from the secret"
	f.write("docs/big.txt", withSecret(big))
	f.write("leak.txt", "oops "+s.secrets["B"]+"\n")
	s.commits["c4"] = f.commit("Carol", "add notes")
	f.remove("leak.txt")
	big[280] = "another edit, after the secret"
	f.write("docs/big.txt", withSecret(big))
	s.commits["c5"] = f.commit("Bob", "remove notes")

	f.branch("feature", true)
	f.write("feature.txt", "token: "+s.secrets["C"]+"\n")
	s.commits["f1"] = f.commit("Dave", "feature work")
	f.branch("master", false)
	f.branch("wip", true)
	f.write("wip.txt", "key="+s.secrets["D"]+"\n")
	s.commits["w1"] = f.commit("Eve", "wip")
	f.branch("master", false)
	f.write("README", "hello\n")
	s.commits["m1"] = f.commit("Alice", "readme, and by mistake "+s.secrets["E"])
	f.write("feature.txt", "token: "+s.secrets["C"]+"\n")
	s.commits["m2"] = f.commit("Bob", "Merge branch feature", s.commits["m1"], s.commits["f1"])

	s.want = []wantFinding{
		{"", "m1", "Alice", "readme, and by mistake [REDACTED]", "E", 1, 9, false},
		{"config.env", "c1", "Alice", "add config", "A", 2, 1, true},
		{"docs/big.txt", "c2", "Bob", "document the deploy", "S", 151, 2, true},
		{"feature.txt", "f1", "Dave", "feature work", "C", 1, 7, true},
		{"leak.txt", "c4", "Carol", "add notes", "B", 1, 5, false},
		{"wip.txt", "w1", "Eve", "wip", "D", 1, 8, false},
	}
	return s
}

// check compares findings with what the story says, field by field.
func (s *story) check(t *testing.T, got []Finding) {
	t.Helper()
	sort.SliceStable(got, func(i, j int) bool { return got[i].Origin.Path < got[j].Origin.Path })
	if len(got) != len(s.want) {
		for _, g := range got {
			t.Logf("got %s %s line %d", g.Origin.Path, g.Origin.Git.Commit[:7], g.Match.Line)
		}
		t.Fatalf("got %d findings, want %d", len(got), len(s.want))
	}
	for i, w := range s.want {
		g, o := got[i], got[i].Origin
		name := fmt.Sprintf("finding %d (%s)", i, w.path)
		if o.Path != w.path || o.Git == nil {
			t.Fatalf("%s: path %q git %v", name, o.Path, o.Git)
		}
		gi := o.Git
		if gi.Commit != s.commits[w.commit].String() {
			t.Errorf("%s: commit %s, want %s (%s)", name, gi.Commit, s.commits[w.commit], w.commit)
		}
		if gi.Author != w.author || gi.Email != strings.ToLower(w.author)+"@example.org" {
			t.Errorf("%s: author %q <%s>, want %s", name, gi.Author, gi.Email, w.author)
		}
		wantDate := time.Date(2024, 1, w.day, 10, 0, 0, 0, time.FixedZone("CET", 3600))
		if !gi.Date.Equal(wantDate) {
			t.Errorf("%s: date %v, want %v", name, gi.Date, wantDate)
		}
		if gi.Message != w.subject {
			t.Errorf("%s: subject %q, want %q", name, gi.Message, w.subject)
		}
		if gi.PresentAtHEAD != w.head {
			t.Errorf("%s: present at HEAD %v, want %v", name, gi.PresentAtHEAD, w.head)
		}
		if g.Match.Line != w.line {
			t.Errorf("%s: line %d, want %d", name, g.Match.Line, w.line)
		}
		if f := g.Match.Value.(detect.Finding); f.Secret != s.secrets[w.secret] {
			t.Errorf("%s: secret %.8s…, want secret %s", name, f.Secret, w.secret)
		}
	}
}

func TestHistoryAttributionLoose(t *testing.T) {
	s := newStory(t)
	got, b, _ := scan(t, Options{Path: s.f.dir}, testFinder(t))
	if b.Mode != "packs" || b.Commits != 9 {
		t.Fatalf("mode %s, %d commits; want packs, 9", b.Mode, b.Commits)
	}
	s.check(t, got)
}

func TestHistoryAttributionPacked(t *testing.T) {
	s, st := packedStory(t)
	deltas := 0
	for _, p := range st.packs {
		for _, e := range p.ent {
			if e.isDelta() {
				deltas++
			}
		}
	}
	if deltas == 0 {
		t.Fatal("the repack made no deltas: the delta path is not tested")
	}
	got, _, _ := scan(t, Options{Path: s.f.dir}, testFinder(t))
	s.check(t, got)
}

func TestHistoryAttributionObjects(t *testing.T) {
	s := newStory(t)
	s.check(t, scanObjects(t, s.f.dir, testFinder(t)))
}

// Attribution spread over the workers gives what one worker gives: every
// attribution field of the story (s.check), and, with a commit's tree
// deleted, the same warnings in the same order.
func TestHistoryAttributionParallel(t *testing.T) {
	defer func(n int) { parallelAttributionMin = n }(parallelAttributionMin)
	for _, packed := range []bool{false, true} {
		s := newStory(t)
		if packed {
			s.f.repack()
		}
		parallelAttributionMin = 1
		got, b, _ := scan(t, Options{Path: s.f.dir, Workers: 2}, testFinder(t))
		if b.Mode != "packs" {
			t.Fatalf("mode %s; want packs", b.Mode)
		}
		s.check(t, got)
	}

	s := newStory(t)
	c, err := s.f.repo.CommitObject(s.commits["c3"])
	if err != nil {
		t.Fatal(err)
	}
	hx := c.TreeHash.String() // an older commit's root tree: only attribution meets it
	if err := os.Remove(filepath.Join(s.f.dir, ".git", "objects", hx[:2], hx[2:])); err != nil {
		t.Fatal(err)
	}
	run := func(min int) ([]string, []string) {
		parallelAttributionMin = min
		got, _, st := scan(t, Options{Path: s.f.dir, Workers: 2}, testFinder(t))
		var fs, ws []string
		for _, f := range got {
			fs = append(fs, fmt.Sprintf("%s %s %d %s", f.Origin.Git.Commit, f.Origin.Path, f.Match.Line, f.Match.Key))
		}
		for _, w := range st.Snapshot().Warnings {
			ws = append(ws, w.Place+": "+w.Message)
		}
		return fs, ws
	}
	oneF, oneW := run(1 << 30)
	parF, parW := run(1)
	if !slices.Equal(oneF, parF) {
		t.Errorf("findings differ:\none worker %q\nworkers   %q", oneF, parF)
	}
	if !slices.Equal(oneW, parW) || !slices.ContainsFunc(oneW, func(w string) bool { return strings.Contains(w, hx) }) {
		t.Errorf("warnings differ or do not name the missing tree %s:\none worker %q\nworkers   %q", hx, oneW, parW)
	}
}
