package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Tokens with valid checksums (github-classic-pat).
const (
	tokenOld = "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"
	tokenNew = "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"
)

type gitRepo struct {
	t   *testing.T
	dir string
	wt  *gogit.Worktree
	day int
}

func newGitRepo(t *testing.T) *gitRepo {
	dir := t.TempDir()
	repo, err := gogit.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &gitRepo{t: t, dir: dir, wt: wt}
}

func (r *gitRepo) stage(path, content string) {
	r.t.Helper()
	writeFile(r.t, filepath.Join(r.dir, path), content)
	if _, err := r.wt.Add(path); err != nil {
		r.t.Fatal(err)
	}
}

func (r *gitRepo) commit(author, msg string) plumbing.Hash {
	r.t.Helper()
	r.day++
	s := &object.Signature{Name: author, Email: strings.ToLower(author) + "@example.org", When: time.Date(2024, 3, r.day, 12, 0, 0, 0, time.UTC)}
	h, err := r.wt.Commit(msg, &gogit.CommitOptions{Author: s, Committer: s})
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

type gitReport struct {
	Findings []struct {
		RuleID   string `json:"rule_id"`
		Secret   string `json:"secret"`
		Location struct {
			Source string `json:"source"`
			Path   string `json:"path"`
			Line   int    `json:"line"`
		} `json:"location"`
		Git *struct {
			Commit        string    `json:"commit"`
			Author        string    `json:"author"`
			Email         string    `json:"email"`
			Date          time.Time `json:"date"`
			Message       string    `json:"message"`
			PresentAtHEAD bool      `json:"present_at_head"`
		} `json:"git"`
	} `json:"findings"`
}

func parseGitReport(t *testing.T, s string) gitReport {
	t.Helper()
	var r gitReport
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("parse report: %v\n%s", err, s)
	}
	return r
}

// history: Alice adds a token, Bob deletes it, Carol adds another.
func history(t *testing.T) (*gitRepo, []plumbing.Hash) {
	r := newGitRepo(t)
	r.stage("deploy.env", "USER=ci\nGITHUB_TOKEN="+tokenOld+"\n")
	c1 := r.commit("Alice", "add deploy settings")
	if _, err := r.wt.Remove("deploy.env"); err != nil {
		t.Fatal(err)
	}
	c2 := r.commit("Bob", "remove the token")
	r.stage("src/client.txt", "client token: "+tokenNew+"\n")
	c3 := r.commit("Carol", "client")
	return r, []plumbing.Hash{c1, c2, c3}
}

func TestGitHistoryE2E(t *testing.T) {
	r, c := history(t)
	res := runSprawl(t, r.dir, "", "git", ".", "-f", "json")
	if res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	rep := parseGitReport(t, res.stdout)
	if len(rep.Findings) != 2 {
		t.Fatalf("want 2 findings: %s", res.stdout)
	}
	want := []struct {
		path, author, subject string
		commit                plumbing.Hash
		day                   int
		head                  bool
	}{
		{"deploy.env", "Alice", "add deploy settings", c[0], 1, false},
		{"src/client.txt", "Carol", "client", c[2], 3, true},
	}
	for i, w := range want {
		f := rep.Findings[i]
		g := f.Git
		if f.Location.Path != w.path || f.Location.Source != "git" || g == nil || g.Commit != w.commit.String() || g.Author != w.author ||
			g.Email != strings.ToLower(w.author)+"@example.org" || g.Message != w.subject || g.PresentAtHEAD != w.head ||
			!g.Date.Equal(time.Date(2024, 3, w.day, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("finding %d: %+v %+v", i, f.Location, g)
		}
		if strings.Contains(res.stdout, tokenOld) || strings.Contains(res.stdout, tokenNew) {
			t.Fatal("a secret is printed unredacted")
		}
	}

	// Every format carries the provenance.
	sarif := runSprawl(t, r.dir, "", "git", ".", "-f", "sarif").stdout
	for _, s := range []string{"In git history only (commit " + c[0].String()[:7], `"present_at_head": false`, `"author": "Alice"`, `"uri": "deploy.env"`} {
		if !strings.Contains(sarif, s) {
			t.Errorf("SARIF lacks %q", s)
		}
	}
	csv := runSprawl(t, r.dir, "", "git", ".", "-f", "csv").stdout
	if !strings.Contains(csv, c[0].String()+",Alice,2024-03-01") {
		t.Errorf("CSV lacks commit and author:\n%s", csv)
	}
	text := runSprawl(t, r.dir, "", "git", ".", "--no-color").stdout
	if !strings.Contains(text, "commit "+c[0].String()[:7]+"  Alice  2024-03-01  history only") {
		t.Errorf("text lacks provenance:\n%s", text)
	}

	// The CI gate: only what the range added, then nothing once baselined.
	gate := runSprawl(t, r.dir, "", "git", "--range", c[1].String()+"..HEAD", "-f", "json", "--exit-code", "3")
	rep = parseGitReport(t, gate.stdout)
	if gate.code != 3 || len(rep.Findings) != 1 || rep.Findings[0].Location.Path != "src/client.txt" {
		t.Fatalf("range: exit %d, %s %s", gate.code, gate.stdout, gate.stderr)
	}
	base := filepath.Join(t.TempDir(), "baseline.json")
	writeFile(t, base, gate.stdout)
	if res := runSprawl(t, r.dir, "", "git", "--range", c[1].String()+"..HEAD", "--baseline", base, "--exit-code", "3", "-q"); res.code != 0 {
		t.Fatalf("baselined gate: exit %d: %s", res.code, res.stderr)
	}

	// A URL is cloned into a temporary folder that is removed afterwards.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	res = runSprawl(t, t.TempDir(), "", "git", "file://"+r.dir, "-f", "json")
	if res.code != 1 || len(parseGitReport(t, res.stdout).Findings) != 2 {
		t.Fatalf("URL: exit %d %s %s", res.code, res.stdout, res.stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "sprawl-clone-*")); len(left) != 0 {
		t.Fatalf("clone left behind: %v", left)
	}
}

func TestGitStagedAndHookE2E(t *testing.T) {
	r, _ := history(t)
	// Nothing staged: the hook must let the commit through.
	if res := runSprawl(t, r.dir, "", "git", "--staged"); res.code != 0 {
		t.Fatalf("nothing staged: exit %d %s", res.code, res.stderr)
	}
	// An unrelated edit next to an old secret passes; a new secret fails.
	r.stage("src/client.txt", "header\nclient token: "+tokenNew+"\n")
	if res := runSprawl(t, r.dir, "", "git", "--staged"); res.code != 0 {
		t.Fatalf("unrelated edit: exit %d %s %s", res.code, res.stdout, res.stderr)
	}
	r.stage("notes.md", "a\nb\nthe old one again: "+tokenOld+"\n")
	res := runSprawl(t, filepath.Join(r.dir, "src"), "", "git", "--staged", "-f", "json")
	rep := parseGitReport(t, res.stdout)
	if res.code != 1 || len(rep.Findings) != 1 || rep.Findings[0].Location.Path != "notes.md" || rep.Findings[0].Location.Line != 3 || rep.Findings[0].Git != nil {
		t.Fatalf("staged: exit %d %s %s", res.code, res.stdout, res.stderr)
	}

	hook := filepath.Join(r.dir, ".git", "hooks", "pre-commit")
	if res := runSprawl(t, r.dir, "", "hook", "install"); res.code != 0 {
		t.Fatalf("install: %d %s", res.code, res.stderr)
	}
	info, err := os.Stat(hook)
	if err != nil || info.Mode()&0o111 == 0 {
		t.Fatalf("hook not executable: %v %v", info, err)
	}
	script, _ := os.ReadFile(hook)
	if !strings.Contains(string(script), "git --staged") {
		t.Fatalf("hook script:\n%s", script)
	}
	writeFile(t, hook, "#!/bin/sh\necho mine\n")
	if res := runSprawl(t, r.dir, "", "hook", "install"); res.code != 2 || !strings.Contains(res.stderr, "--force") {
		t.Fatalf("existing hook: exit %d %s", res.code, res.stderr)
	}
	if got, _ := os.ReadFile(hook); string(got) != "#!/bin/sh\necho mine\n" {
		t.Fatal("an existing hook was overwritten without --force")
	}
	if res := runSprawl(t, r.dir, "", "hook", "install", "--force"); res.code != 0 {
		t.Fatalf("--force: %d %s", res.code, res.stderr)
	}
	// Run the hook as git would, without sprawl on PATH: it falls back to
	// the binary that installed it, and stops the commit.
	sh := exec.Command("sh", hook)
	sh.Dir = r.dir
	sh.Env = []string{"PATH=/usr/bin:/bin", "NO_COLOR=1", "HOME=" + t.TempDir()}
	out, err := sh.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "notes.md") {
		t.Fatalf("hook run: %v\n%s", err, out)
	}
}
