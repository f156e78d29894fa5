package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// TestGitCodeOwnersAndArchivesE2E: findings in history get the owners
// that CODEOWNERS at HEAD gives their path (an older CODEOWNERS does not
// count), and a secret inside a zip committed once and deleted is found
// under the member's path.
func TestGitCodeOwnersAndArchivesE2E(t *testing.T) {
	r := newGitRepo(t)
	r.stage(".github/CODEOWNERS", "* @acme/old-team\n")
	r.stage("secrets/deploy.env", "GITHUB_TOKEN="+tokenOld+"\n")
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("config/app.env")
	w.Write([]byte("APP=demo\nGITHUB_TOKEN=" + tokenNew + "\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	r.stage("dist/release.zip", zipped.String())
	c1 := r.commit("Alice", "first release")
	r.stage(".github/CODEOWNERS", "# owners today\n* @acme/platform\n/secrets/ @acme/security @alice\n")
	if _, err := r.wt.Remove("dist/release.zip"); err != nil {
		t.Fatal(err)
	}
	r.commit("Bob", "owners; no build output in git")

	res := runSprawl(t, r.dir, "", "git", ".", "-f", "json")
	if res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var rep struct {
		Findings []struct {
			Location struct {
				Path string `json:"path"`
			} `json:"location"`
			Git *struct {
				Commit string `json:"commit"`
			} `json:"git"`
			Owners []string `json:"owners"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("parse: %v\n%s", err, res.stdout)
	}
	want := map[string][]string{
		"dist/release.zip!/config/app.env": {"@acme/platform"},
		"secrets/deploy.env":               {"@acme/security", "@alice"},
	}
	if len(rep.Findings) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(rep.Findings), len(want), res.stdout)
	}
	for _, f := range rep.Findings {
		owners, ok := want[f.Location.Path]
		if !ok {
			t.Errorf("unexpected finding at %q", f.Location.Path)
			continue
		}
		if !slices.Equal(f.Owners, owners) {
			t.Errorf("%s: owners %v, want %v", f.Location.Path, f.Owners, owners)
		}
		if f.Git == nil || f.Git.Commit != c1.String() {
			t.Errorf("%s: not attributed to the commit that added it: %+v", f.Location.Path, f.Git)
		}
	}
}
