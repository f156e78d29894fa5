package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readKeystoreFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "pkg", "sources", "testdata", "keystores", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Keystores are found by content whatever their name, as one finding per
// file at line 1 whose secret is the file's digest: a copy of a keystore
// under another name is the same credential. A certificate alone is not
// reported, and no output carries the describing line's NUL.
func TestKeystoresInDirE2E(t *testing.T) {
	p12 := readKeystoreFixture(t, "throwaway.p12")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "certs", "client.pfx"), string(p12))
	writeFile(t, filepath.Join(dir, "backup", "old.bin"), string(p12))
	writeFile(t, filepath.Join(dir, "app", "keystore.jks"), string(readKeystoreFixture(t, "throwaway.jks")))
	writeFile(t, filepath.Join(dir, "certs", "server.der"), string(readKeystoreFixture(t, "cert.der")))

	res := runSprawl(t, dir, "", "dir", ".", "-f", "json")
	if res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	rep := parseJSON(t, res.stdout)
	for _, path := range []string{"certs/client.pfx", "backup/old.bin", "app/keystore.jks"} {
		if !rep.has("keystore-file", path, 1) {
			t.Errorf("no keystore finding at %s:\n%s", path, res.stdout)
		}
	}
	if len(rep.Findings) != 3 {
		t.Errorf("%d findings, want 3 (the certificate alone is not one):\n%s", len(rep.Findings), res.stdout)
	}
	if strings.Contains(res.stdout, `\u0000`) {
		t.Error("the JSON report carries a NUL")
	}
	full := runSprawl(t, dir, "", "dir", ".", "-f", "json", "--no-redact")
	want := fmt.Sprintf("sha256:%x", sha256.Sum256(p12))
	n := 0
	for _, f := range parseJSON(t, full.stdout).Findings {
		if f.Secret == want {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d findings carry the PKCS#12 file's digest %s, want 2 (two copies)", n, want)
	}
	for _, format := range []string{"text", "sarif", "csv"} {
		out := runSprawl(t, dir, "", "dir", ".", "-f", format)
		if strings.ContainsRune(out.stdout, 0) || strings.Contains(out.stdout, `\u0000`) {
			t.Errorf("%s output carries a NUL", format)
		}
		if !strings.Contains(out.stdout, "certs/client.pfx") {
			t.Errorf("%s output does not name the keystore:\n%s", format, out.stdout)
		}
	}
}

// A keystore committed once and deleted later is found in history, at
// the commit that added it; staging one blocks the commit, and staging a
// change elsewhere beside one HEAD already holds does not.
func TestKeystoresInGitE2E(t *testing.T) {
	p12 := string(readKeystoreFixture(t, "throwaway.p12"))
	r := newGitRepo(t)
	r.stage("README.md", "demo\n")
	r.stage("deploy/client.p12", p12)
	added := r.commit("Alice", "add the client certificate")
	if _, err := r.wt.Remove("deploy/client.p12"); err != nil {
		t.Fatal(err)
	}
	r.commit("Bob", "no keystores in git")

	res := runSprawl(t, r.dir, "", "git", ".", "-f", "json")
	if res.code != 1 || !strings.Contains(res.stdout, `"rule_id": "keystore-file"`) {
		t.Fatalf("exit %d, no keystore finding:\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, added.String()) || !strings.Contains(res.stdout, `"present_at_head": false`) {
		t.Errorf("finding not attributed to %s, or said to be at HEAD:\n%s", added, res.stdout)
	}

	r.stage("deploy/server.pfx", string(readKeystoreFixture(t, "throwaway-legacy.p12")))
	if res := runSprawl(t, r.dir, "", "git", "--staged", "-f", "json"); res.code != 1 || !strings.Contains(res.stdout, "deploy/server.pfx") {
		t.Errorf("staged keystore: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	r.commit("Carol", "server keystore")
	r.stage("README.md", "demo, with a server\n")
	if res := runSprawl(t, r.dir, "", "git", "--staged"); res.code != 0 {
		t.Errorf("an unrelated change beside a committed keystore blocked: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
