package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tokens with valid GitHub checksums, made for these tests.
const (
	tokenA = "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"
	tokenB = "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"
)

// secretTree writes a small project holding secrets in several forms.
func secretTree(t *testing.T) string {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src", "config.py"), "import os\n\nGITHUB = \""+tokenA+"\"\n")
	writeFile(t, filepath.Join(root, "k8s", "secret.yaml"),
		"apiVersion: v1\nkind: Secret\ndata:\n  token: "+base64.StdEncoding.EncodeToString([]byte(tokenB))+"\n")
	writeFile(t, filepath.Join(root, ".env"), "GH_TOKEN="+tokenB+"\n")
	writeFile(t, filepath.Join(root, ".gitignore"), ".env\n")
	writeFile(t, filepath.Join(root, "README.md"), "# demo\nNothing to see.\n")
	writeFile(t, filepath.Join(root, ".git", "HEAD"), "token "+tokenA+"\n") // never scanned
	return root
}

func TestDirFindsSecretsInEveryForm(t *testing.T) {
	root := secretTree(t)
	r := runSprawl(t, root, "", "dir", ".", "--format", "json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	rep := parseJSON(t, r.stdout)
	if !rep.has("github-classic-pat", "src/config.py", 3) || !rep.has("github-classic-pat", ".env", 1) || !rep.has("github-classic-pat", "k8s/secret.yaml", 4) {
		t.Fatalf("missing findings: %+v", rep.Findings)
	}
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Location.Path, ".git/") {
			t.Errorf(".git was scanned: %s", f.Location.Path)
		}
		if f.Location.Path == "k8s/secret.yaml" && f.Decoded != "base64" {
			t.Errorf("decoded finding not marked: %+v", f)
		}
		if strings.Contains(f.Secret, tokenA[8:]) || strings.Contains(f.Secret, tokenB[8:]) {
			t.Errorf("JSON report holds the secret without --no-redact: %q", f.Secret)
		}
		if f.Class != "unmanaged" || f.Fingerprint == "" {
			t.Errorf("class/fingerprint missing: %+v", f)
		}
	}
	if rep.SchemaVersion == "" || rep.Summary.ItemsScanned < 4 {
		t.Errorf("summary: %+v", rep.Summary)
	}
}

func TestDirGitignoreFlag(t *testing.T) {
	root := secretTree(t)
	rep := parseJSON(t, runSprawl(t, root, "", "dir", ".", "--format", "json", "--gitignore").stdout)
	for _, f := range rep.Findings {
		if f.Location.Path == ".env" {
			t.Fatalf("--gitignore did not skip .env")
		}
	}
}

func TestTextReportIsRedactedAndPlain(t *testing.T) {
	root := secretTree(t)
	r := runSprawl(t, root, "", "dir", ".")
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.Contains(out, tokenA[8:]) || strings.Contains(out, tokenB[8:]) {
			t.Fatalf("secret printed in the text report:\n%s", out)
		}
		if strings.Contains(out, "\x1b[") {
			t.Fatalf("colour codes written to a non-terminal")
		}
	}
	if !strings.Contains(r.stdout, "src/config.py") {
		t.Fatalf("text report does not name the file:\n%s", r.stdout)
	}
	full := runSprawl(t, root, "", "dir", ".", "--no-redact")
	if !strings.Contains(full.stdout, tokenA) {
		t.Fatalf("--no-redact did not show the secret")
	}
}

func TestExitCodes(t *testing.T) {
	root := secretTree(t)
	if r := runSprawl(t, root, "", "dir", ".", "--exit-code", "7", "-q"); r.code != 7 {
		t.Errorf("--exit-code 7: got %d", r.code)
	}
	clean := t.TempDir()
	writeFile(t, filepath.Join(clean, "main.go"), "package main\n\nfunc main() {}\n")
	if r := runSprawl(t, clean, "", "dir", "."); r.code != 0 {
		t.Errorf("clean tree: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := runSprawl(t, clean, "", "dir", "does-not-exist")
	if r.code != 2 || !strings.Contains(r.stderr, "nothing was scanned") || !strings.Contains(r.stderr, "does-not-exist") {
		t.Errorf("missing path: exit %d, stderr %q", r.code, r.stderr)
	}
	empty := t.TempDir()
	if r := runSprawl(t, empty, "", "dir", "."); r.code != 2 {
		t.Errorf("empty folder: exit %d, want 2 (fail closed)", r.code)
	}
	if r := runSprawl(t, clean, "", "dir", ".", "--format", "yaml"); r.code != 2 {
		t.Errorf("bad format: exit %d", r.code)
	}
	if r := runSprawl(t, clean, "", "dir", ".", "--no-such-flag"); r.code != 2 {
		t.Errorf("bad flag: exit %d", r.code)
	}
}

func TestOutputFileIsPrivate(t *testing.T) {
	root := secretTree(t)
	out := filepath.Join(t.TempDir(), "report.sarif")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runSprawl(t, root, "", "dir", ".", "--format", "sarif", "--output", out)
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(out)
	if strings.Contains(string(data), tokenA[8:]) || !strings.Contains(string(data), "github-classic-pat") {
		t.Errorf("SARIF leaks the secret or lacks the finding")
	}
	if r.stdout != "" || !strings.Contains(r.stderr, out) {
		t.Errorf("with --output, stdout should be empty and stderr should name the file: %q / %q", r.stdout, r.stderr)
	}
}

func TestStdin(t *testing.T) {
	r := runSprawl(t, t.TempDir(), "line one\ntoken="+tokenA+"\n", "stdin", "--name", "pasted.txt", "--format", "json")
	rep := parseJSON(t, r.stdout)
	if r.code != 1 || !rep.has("github-classic-pat", "pasted.txt", 2) {
		t.Fatalf("exit %d, findings %+v", r.code, rep.Findings)
	}
}

func TestConfigFileAtScanRoot(t *testing.T) {
	root := secretTree(t)
	writeFile(t, filepath.Join(root, ".sprawl.yaml"), "allow:\n  paths: ['k8s/**', '.env']\n")
	rep := parseJSON(t, runSprawl(t, root, "", "dir", root, "--format", "json").stdout)
	if len(rep.Findings) != 1 || rep.Findings[0].Location.Path != "src/config.py" {
		t.Fatalf("allow paths not applied: %+v", rep.Findings)
	}
	// A disabled rule is not reported, and fallback rules do not report its
	// secrets under another name either.
	writeFile(t, filepath.Join(root, "other.yaml"), "disable: [github-classic-pat]\n")
	r := runSprawl(t, root, "", "dir", ".", "--config", "other.yaml", "--format", "json")
	for _, f := range parseJSON(t, r.stdout).Findings {
		if f.RuleID == "github-classic-pat" || f.Location.Path == "src/config.py" || f.Location.Path == ".env" {
			t.Errorf("disabled rule's secret still reported: %+v", f)
		}
	}
	if r := runSprawl(t, root, "", "dir", ".", "--config", "missing.yaml"); r.code != 2 {
		t.Fatalf("missing --config file: exit %d", r.code)
	}
	// A config error, whether found when the config is merged with the
	// built-in rules (an unknown rule id) or when its allowlist is checked
	// (a bad glob), ends the scan with exit 2 and the reason, and no report.
	for cfg, want := range map[string]string{
		"disable: [no-such-rule]\n":   `config bad.yaml: disable: unknown rule "no-such-rule"`,
		"allow:\n  paths: ['a/[b']\n": `allowlist path "a/[b" is not a valid glob`,
	} {
		writeFile(t, filepath.Join(root, "bad.yaml"), cfg)
		r := runSprawl(t, root, "", "dir", ".", "--config", "bad.yaml", "--format", "json")
		if r.code != 2 || !strings.Contains(r.stderr, want) || r.stdout != "" {
			t.Errorf("config %q: exit %d, stderr %q, stdout %q", cfg, r.code, r.stderr, r.stdout)
		}
	}
}

func TestBaselineSuppressesKnownFindings(t *testing.T) {
	root := secretTree(t)
	base := filepath.Join(t.TempDir(), "base.json")
	runSprawl(t, root, "", "dir", ".", "--format", "json", "--output", base)
	if r := runSprawl(t, root, "", "dir", ".", "--baseline", base); r.code != 0 {
		t.Fatalf("baselined scan exit %d\n%s", r.code, r.stdout)
	}
	// Moving a secret to another line keeps it baselined; a new secret is
	// reported.
	writeFile(t, filepath.Join(root, "src", "config.py"), "import os\n\n\n\nGITHUB = \""+tokenA+"\"\n")
	writeFile(t, filepath.Join(root, "src", "new.py"), "T = \""+tokenB+"\"\n")
	r := runSprawl(t, root, "", "dir", ".", "--baseline", base, "--format", "json")
	rep := parseJSON(t, r.stdout)
	if r.code != 1 || len(rep.Findings) != 1 || rep.Findings[0].Location.Path != "src/new.py" {
		t.Fatalf("exit %d, findings %+v", r.code, rep.Findings)
	}
}

func TestThreadCountDoesNotChangeOutput(t *testing.T) {
	root := secretTree(t)
	for i := 0; i < 30; i++ {
		writeFile(t, filepath.Join(root, "gen", string(rune('a'+i%26))+strings.Repeat("x", i/26), "f.txt"), "k="+tokenA+"\n")
	}
	one := runSprawl(t, root, "", "dir", ".", "--format", "csv", "--threads", "1")
	many := runSprawl(t, root, "", "dir", ".", "--format", "csv", "--threads", "8")
	if one.stdout != many.stdout || one.stdout == "" {
		t.Fatalf("--threads 1 and 8 differ")
	}
}
