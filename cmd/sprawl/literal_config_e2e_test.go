package main

import (
	"path/filepath"
	"testing"
)

// The literal fallback for secret-named keys obeys the config like a rule:
// `disable: [secret-key-literal]` turns it off, and the allowlist's
// regexes and stopwords apply to its values.
func TestConfigGovernsLiteralFallback(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "app.yaml"), "smtp:\n  auth: Qv7-rL2x!mZp9wK\n")
	count := func(args ...string) int {
		n := 0
		for _, f := range parseJSON(t, runSprawl(t, root, "", append([]string{"dir", ".", "--format", "json"}, args...)...).stdout).Findings {
			if f.RuleID == "secret-key-literal" {
				n++
			}
		}
		return n
	}
	if count() != 1 {
		t.Fatalf("literal under a secret-named key not reported")
	}
	writeFile(t, filepath.Join(root, "off.yaml"), "disable: [secret-key-literal]\n")
	if n := count("--config", "off.yaml"); n != 0 {
		t.Errorf("disable: [secret-key-literal] ignored (%d findings)", n)
	}
	writeFile(t, filepath.Join(root, "re.yaml"), "allow:\n  regexes: ['^Qv7-']\n")
	if n := count("--config", "re.yaml"); n != 0 {
		t.Errorf("allowlist regex not applied to literals (%d findings)", n)
	}
	writeFile(t, filepath.Join(root, "stop.yaml"), "allow:\n  stopwords: ['mzp9']\n")
	if n := count("--config", "stop.yaml"); n != 0 {
		t.Errorf("allowlist stopword not applied to literals (%d findings)", n)
	}
	writeFile(t, filepath.Join(root, "bad.yaml"), "disable: [no-such-rule]\n")
	if r := runSprawl(t, root, "", "dir", ".", "--config", "bad.yaml"); r.code != 2 {
		t.Errorf("unknown id in disable: exit %d, want 2", r.code)
	}
}
