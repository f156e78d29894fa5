package report

import (
	"regexp"
	"testing"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

func TestFingerprintFormat(t *testing.T) {
	f := fixtureReport().Findings[0]
	got := Fingerprint(f, testKey)
	if !regexp.MustCompile(`^github-classic-pat:config/app\.env:[0-9a-f]{16}$`).MatchString(got) {
		t.Errorf("Fingerprint = %q, want rule:path:16 hex", got)
	}
}

func TestFingerprintStableWhenLineMoves(t *testing.T) {
	a := fixtureReport().Findings[0]
	b := a
	b.Line, b.EndLine, b.Column, b.EndColumn, b.Offset = 40, 40, 2, 41, 9999
	b.LineText = "  token: " + a.Secret
	if Fingerprint(a, testKey) != Fingerprint(b, testKey) {
		t.Errorf("fingerprint changed when the secret moved: %s vs %s", Fingerprint(a, testKey), Fingerprint(b, testKey))
	}
}

func TestFingerprintChangesWithSecretPathRuleAndKey(t *testing.T) {
	base := fixtureReport().Findings[0]
	fp := Fingerprint(base, testKey)

	other := base
	other.Secret = base.Secret[:len(base.Secret)-1] + "7"
	if Fingerprint(other, testKey) == fp {
		t.Error("a different secret gave the same fingerprint")
	}
	moved := base
	moved.Origin = &sources.Origin{Source: sources.KindFile, Path: "config/other.env"}
	if Fingerprint(moved, testKey) == fp {
		t.Error("a different path gave the same fingerprint")
	}
	ruled := base
	ruled.Rule = ruleAWS
	if Fingerprint(ruled, testKey) == fp {
		t.Error("a different rule gave the same fingerprint")
	}
	if Fingerprint(base, []byte("another key")) == fp {
		t.Error("a different key gave the same fingerprint")
	}
	if Fingerprint(base, nil) != Fingerprint(base, []byte(DefaultFingerprintKey)) {
		t.Error("an empty key is not the default key")
	}
}

// TestFingerprintGitHistory checks that one secret at one path in several
// commits is one fingerprint, and the same as in a plain file scan.
func TestFingerprintGitHistory(t *testing.T) {
	base := fixtureReport().Findings[0]
	at := func(commit string, head bool) string {
		f := base
		f.Origin = &sources.Origin{Source: sources.KindGit, Path: base.Origin.Path,
			Git: &sources.GitOrigin{Commit: commit, Date: time.Unix(0, 0), PresentAtHEAD: head}}
		return Fingerprint(f, testKey)
	}
	a, b := at("1111111111111111111111111111111111111111", false), at("2222222222222222222222222222222222222222", true)
	if a != b || a != Fingerprint(base, testKey) {
		t.Errorf("fingerprints differ across commits: %s %s %s", a, b, Fingerprint(base, testKey))
	}
}

func TestFingerprintKeyID(t *testing.T) {
	if FingerprintKeyID(nil) != FingerprintKeyID([]byte(DefaultFingerprintKey)) {
		t.Error("empty key id differs from the default key's")
	}
	if FingerprintKeyID(testKey) == FingerprintKeyID(nil) {
		t.Error("two keys share an id")
	}
}
