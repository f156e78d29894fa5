package classify

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

var (
	now      = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	testRule = &detect.Rule{ID: "test-token", Title: "Test token", Provider: "Test", Severity: detect.SeverityHigh}
	secretA  = tok("AaAaAaAaBbBbBbBbCcCcCcCc")
	secretB  = tok("DdDdDdDdEeEeEeEeFfFfFfFf")
)

func literal(secret, key string, o *sources.Origin) Finding {
	return Finding{Finding: detect.Finding{Rule: testRule, Secret: secret, Origin: o, Line: 1}, Class: Unmanaged, Key: key, Evidence: "literal value"}
}

func file(p string) *sources.Origin { return &sources.Origin{Source: sources.KindFile, Path: p} }

func commit(p string, date time.Time, head bool) *sources.Origin {
	return &sources.Origin{Source: sources.KindGit, Path: p, Git: &sources.GitOrigin{
		Commit: "c0ffee" + date.Format("20060102150405"), Author: "Alice", Email: "alice@example.com", Date: date, PresentAtHEAD: head}}
}

func policy() Policy {
	return Policy{Key: []byte("k"), MaxAge: DefaultMaxAge, Now: now, Scope: "repo"}
}

func credentialOf(t *testing.T, inv *Inventory, findings []Finding, secret string) Credential {
	t.Helper()
	for _, c := range inv.Credentials {
		if findings[c.Occurrences[0]].Secret == secret {
			return c
		}
	}
	t.Fatalf("no credential for secret")
	return Credential{}
}

// TestGroupingAcrossSources: one secret in a file, a commit, an image
// layer and a CI variable is one credential with four locations.
func TestGroupingAcrossSources(t *testing.T) {
	fs := []Finding{
		literal(secretA, "TOKEN", file("config/app.env")),
		literal(secretA, "TOKEN", commit("config/app.env", now.AddDate(0, -1, 0), true)),
		literal(secretA, "TOKEN", &sources.Origin{Source: sources.KindImage, Path: "app/.env",
			Image: &sources.ImageOrigin{Reference: "registry.example.com/app:1.2", LayerIndex: 3}}),
		literal(secretA, "TOKEN", &sources.Origin{Source: sources.KindCI, Path: "TOKEN",
			CI: &sources.CIOrigin{Platform: "gitlab", Scope: "group/app", Variable: "TOKEN"}}),
		literal(secretB, "OTHER_TOKEN", file("config/app.env")),
	}
	inv := BuildInventory(fs, policy())
	if len(inv.Credentials) != 2 {
		t.Fatalf("%d credentials, want 2", len(inv.Credentials))
	}
	a := credentialOf(t, inv, fs, secretA)
	if len(a.Occurrences) != 4 {
		t.Errorf("%d occurrences, want 4", len(a.Occurrences))
	}
	if !slices.Equal(a.Sources, []string{"ci", "file", "git", "image"}) {
		t.Errorf("sources %v", a.Sources)
	}
	if !slices.Equal(a.Services, []string{"ci:gitlab:group/app", "image:registry.example.com/app", "repo"}) {
		t.Errorf("services %v", a.Services)
	}
	if !a.AtHEAD || a.HistoryOnly || a.FirstSeen == nil || a.FirstSeen.Author != "Alice" {
		t.Errorf("lifecycle %+v", a)
	}
	if strings.Contains(a.ID, secretA) || a.ID != CredentialID(secretA, []byte("k")) {
		t.Errorf("id %q is not the keyed hash", a.ID)
	}
	for _, i := range a.Occurrences {
		if fs[i].Credential != a.ID || !slices.Equal(fs[i].NHI, a.NHI) {
			t.Errorf("occurrence %d not linked: %q %v", i, fs[i].Credential, fs[i].NHI)
		}
	}
	if !slices.Equal(a.NHI, []string{NHI2, NHI9}) {
		t.Errorf("NHI %v, want NHI2 NHI9", a.NHI)
	}
}

// TestNHI7Boundary: exactly at the age limit is not long-lived; one
// second more is; history-only secrets are not "still present".
func TestNHI7Boundary(t *testing.T) {
	for _, tc := range []struct {
		name string
		age  time.Duration
		head bool
		want bool
	}{
		{"younger", DefaultMaxAge - time.Hour, true, false},
		{"exactly at the limit", DefaultMaxAge, true, false},
		{"one second over", DefaultMaxAge + time.Second, true, true},
		{"old but gone from HEAD", 2 * DefaultMaxAge, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := []Finding{literal(secretA, "TOKEN", commit("a.env", now.Add(-tc.age), tc.head))}
			inv := BuildInventory(fs, policy())
			if got := slices.Contains(inv.Credentials[0].NHI, NHI7); got != tc.want {
				t.Errorf("NHI7 = %v, want %v (NHI %v)", got, tc.want, inv.Credentials[0].NHI)
			}
		})
	}
	// A custom policy moves the limit.
	fs := []Finding{literal(secretA, "TOKEN", commit("a.env", now.Add(-48*time.Hour), true))}
	pol := policy()
	pol.MaxAge = 24 * time.Hour
	if inv := BuildInventory(fs, pol); !slices.Contains(inv.Credentials[0].NHI, NHI7) {
		t.Errorf("--max-age 24h: two-day-old secret not NHI7")
	}
	// Without a date (a plain folder scan) age is unknown: no NHI7.
	if inv := BuildInventory([]Finding{literal(secretA, "TOKEN", file("a.env"))}, policy()); slices.Contains(inv.Credentials[0].NHI, NHI7) {
		t.Errorf("undated secret marked NHI7")
	}
}

// TestNHI9Boundary: one location, two locations in one service, two
// services.
func TestNHI9Boundary(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paths []string
		want  bool
	}{
		{"one location", []string{"config/a.env"}, false},
		{"two locations, one service", []string{"config/a.env", "deploy/b.env"}, false},
		{"two services of a monorepo", []string{"services/billing/.env", "services/search/.env"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fs []Finding
			for _, p := range tc.paths {
				fs = append(fs, literal(secretA, "TOKEN", file(p)))
			}
			inv := BuildInventory(fs, policy())
			if got := slices.Contains(inv.Credentials[0].NHI, NHI9); got != tc.want {
				t.Errorf("NHI9 = %v, want %v (services %v)", got, tc.want, inv.Credentials[0].Services)
			}
		})
	}
}

// TestNHI8: prod with non-prod is a finding; prod alone is not; a
// variable name shared by prod and dev proves nothing, an ARN does.
func TestNHI8(t *testing.T) {
	check := func(name string, fs []Finding, want bool) {
		t.Helper()
		inv := BuildInventory(fs, policy())
		got := false
		for _, c := range inv.Credentials {
			got = got || slices.Contains(c.NHI, NHI8)
		}
		if got != want {
			t.Errorf("%s: NHI8 = %v, want %v", name, got, want)
		}
	}
	check("prod only", []Finding{literal(secretA, "TOKEN", file("deploy/prod/app.env")), literal(secretA, "PROD_TOKEN", file("app.env"))}, false)
	check("prod and staging", []Finding{literal(secretA, "TOKEN", file("deploy/prod/app.env")), literal(secretA, "TOKEN", file("deploy/staging/app.env"))}, true)
	check("one place named prod and dev", []Finding{literal(secretA, "TOKEN", file("config/.env.production.dev"))}, true)
	ref := func(p string, target string, global bool) Finding {
		return Finding{Finding: detect.Finding{Rule: testRule, Origin: file(p)}, Class: Managed, Key: "DB_PASSWORD",
			Reference: &Reference{Pattern: "x", Provider: "P", Target: target, Global: global}}
	}
	check("env var name in prod and dev", []Finding{ref("prod/app.yaml", "DB_PASSWORD", false), ref("dev/app.yaml", "DB_PASSWORD", false)}, false)
	check("one ARN in prod and dev", []Finding{ref("prod/app.yaml", "arn:x", true), ref("dev/app.yaml", "arn:x", true)}, true)
}

// TestMigration: a literal only in history whose key is now a reference
// at HEAD is "migrated — rotate the old value".
func TestMigration(t *testing.T) {
	old := literal(secretA, "DB_PASSWORD", commit("k8s/app.yaml", now.AddDate(-1, 0, 0), false))
	still := literal(secretB, "API_TOKEN", commit("k8s/app.yaml", now.AddDate(-1, 0, 0), false))
	ref := Finding{Finding: detect.Finding{Rule: &detect.Rule{ID: "ref-vault-path", Title: "HashiCorp Vault path reference"},
		Origin: commit("k8s/app.yaml", now.AddDate(0, -1, 0), true)}, Class: Managed, Key: "DB_PASSWORD",
		Reference: &Reference{Pattern: "vault-path", Provider: "HashiCorp Vault", Target: "secret/db"}}
	fs := []Finding{old, still, ref}
	inv := BuildInventory(fs, policy())
	a := credentialOf(t, inv, fs, secretA)
	if a.Migrated == nil || a.Migrated.Provider != "HashiCorp Vault" || !strings.Contains(fs[0].Evidence, "migrated — rotate the old value") {
		t.Errorf("not marked migrated: %+v, evidence %q", a.Migrated, fs[0].Evidence)
	}
	if !a.HistoryOnly || slices.Contains(a.NHI, NHI7) || !slices.Contains(a.NHI, NHI2) {
		t.Errorf("history-only literal: %+v", a)
	}
	if b := credentialOf(t, inv, fs, secretB); b.Migrated != nil {
		t.Errorf("API_TOKEN has no reference at HEAD but is marked migrated")
	}
}

func TestOwners(t *testing.T) {
	pol := policy()
	pol.CodeOwners = ParseCodeOwners([]byte("# owners\n* @acme/all\n/deploy/ @acme/platform\n*.env @acme/secrets\n"))
	fs := []Finding{
		literal(secretA, "TOKEN", file("deploy/prod.yaml")),
		literal(secretB, "TOKEN", commit("src/app.env", now, true)),
	}
	inv := BuildInventory(fs, pol)
	if a := credentialOf(t, inv, fs, secretA); !slices.Equal(a.Owners, []string{"@acme/platform"}) || a.OwnerSource != "CODEOWNERS" {
		t.Errorf("owners %v from %s", a.Owners, a.OwnerSource)
	}
	if b := credentialOf(t, inv, fs, secretB); !slices.Equal(b.Owners, []string{"@acme/secrets"}) {
		t.Errorf("last matching rule should win: %v", b.Owners)
	}
	pol.CodeOwners = nil
	fs = []Finding{literal(secretB, "TOKEN", commit("src/app.env", now, true))}
	if c := BuildInventory(fs, pol).Credentials[0]; !slices.Equal(c.Owners, []string{"Alice"}) || c.OwnerSource != "authors" {
		t.Errorf("no CODEOWNERS: owners %v from %s, want the authors", c.Owners, c.OwnerSource)
	}
}

func TestEnvironmentsAndServices(t *testing.T) {
	for p, want := range map[string][]string{
		"deploy/production/values.yaml": {EnvProd},
		"config/.env.staging":           {EnvStaging},
		"test/fixtures/app.yaml":        {EnvDev},
		"src/main.go":                   {},
	} {
		if got := EnvironmentsOf(file(p), ""); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", p, got, want)
		}
	}
	if got := EnvironmentsOf(file("app.env"), "PROD_DB_PASSWORD"); !slices.Equal(got, []string{EnvProd}) {
		t.Errorf("key hint: %v", got)
	}
	if got := ServiceOf(file("apps/web/config.yaml"), "mono"); got != "mono/apps/web" {
		t.Errorf("service %q", got)
	}
}
