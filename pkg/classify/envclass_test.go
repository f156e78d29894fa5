package classify

import (
	"slices"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/env"
)

func inEnvironment(name string) *sources.Origin {
	return &sources.Origin{Source: env.Kind, Path: env.PathPrefix + name}
}

func TestFromProcessEnvironment(t *testing.T) {
	got := FromProcessEnvironment(literal(secretA, "DEPLOY_TOKEN", inEnvironment("DEPLOY_TOKEN")))
	if got.Class != Externalized || got.NHI != nil {
		t.Errorf("class %s, NHI %v; want externalized and no leak", got.Class, got.NHI)
	}
	if !strings.Contains(got.Evidence, "DEPLOY_TOKEN") || strings.Contains(got.Evidence, secretA) {
		t.Errorf("evidence %q should name the variable and not hold the value", got.Evidence)
	}
	// No key found (a value the rule matched without its name): the
	// variable name comes from the path.
	if got := FromProcessEnvironment(literal(secretA, "", inEnvironment("X"))); !strings.Contains(got.Evidence, "variable X ") {
		t.Errorf("evidence %q does not name X", got.Evidence)
	}

	// Everything else keeps its class.
	managed := literal(secretA, "K", inEnvironment("K"))
	managed.Class = Managed
	ref := literal("", "K", inEnvironment("K"))
	ref.Class, ref.Reference = Managed, &Reference{Pattern: "vault", Target: "secret/k"}
	for name, f := range map[string]Finding{
		"file":      literal(secretA, "TOKEN", file(".env")),
		"ci":        literal(secretA, "TOKEN", &sources.Origin{Source: sources.KindCI, CI: &sources.CIOrigin{Platform: "gitlab"}}),
		"managed":   managed,
		"reference": ref,
		"no origin": literal(secretA, "TOKEN", nil),
	} {
		if got := FromProcessEnvironment(f); got.Class != f.Class || got.Evidence != f.Evidence {
			t.Errorf("%s: class %s -> %s, evidence %q", name, f.Class, got.Class, got.Evidence)
		}
	}
}

// TestEnvironmentValueAlsoInARepository: the value a job is given that is
// also a literal in a repository is one credential, unmanaged (its worst
// copy) and reused across services (NHI9), as the comment on
// FromProcessEnvironment promises.
func TestEnvironmentValueAlsoInARepository(t *testing.T) {
	inJob := FromProcessEnvironment(literal(secretA, "TOKEN", inEnvironment("TOKEN")))
	inJob.Service = "deploy-job"
	inRepo := literal(secretA, "TOKEN", file("config/app.env"))
	inRepo.Service = "app"
	fs := []Finding{inJob, inRepo}
	inv := BuildInventory(fs, policy())
	if len(inv.Credentials) != 1 {
		t.Fatalf("%d credentials, want 1", len(inv.Credentials))
	}
	c := inv.Credentials[0]
	if c.Class != Unmanaged || !slices.Contains(c.NHI, NHI2) || !slices.Contains(c.NHI, NHI9) {
		t.Errorf("credential class %s, NHI %v; want unmanaged with NHI2 and NHI9", c.Class, c.NHI)
	}

	// The job's value alone is an externalized credential, not a leak.
	alone := []Finding{FromProcessEnvironment(literal(secretB, "TOKEN", inEnvironment("TOKEN")))}
	inv = BuildInventory(alone, policy())
	if c := inv.Credentials[0]; c.Class != Externalized || slices.Contains(c.NHI, NHI2) {
		t.Errorf("job-only credential class %s, NHI %v; want externalized without NHI2", c.Class, c.NHI)
	}
}
