package classify

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

// ciFixture classifies CI variables with the real rule set, as a scan does.
type ciFixture struct {
	eng *detect.Engine
	cls *Classifier
}

func newCIFixture(t *testing.T) ciFixture {
	t.Helper()
	rs, err := detect.LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := detect.NewEngine(rs, detect.Options{Decode: true})
	if err != nil {
		t.Fatal(err)
	}
	cls, err := New(rules.References, Options{Recognised: eng.Recognises})
	if err != nil {
		t.Fatal(err)
	}
	return ciFixture{eng: eng, cls: cls}
}

func (f ciFixture) classify(value string, ci sources.CIOrigin) []Finding {
	o := &sources.Origin{Source: sources.KindCI, Path: ci.Platform + ":" + ci.Scope + "#" + ci.Variable, CI: &ci}
	ch := sources.Chunk{Data: []byte(value), Origin: o, StartLine: 1}
	return f.cls.Chunk(ch, f.eng.Scan(ch)).Findings
}

// testPrivateKey makes a fresh RSA key in PEM, so no key is written in
// the repository.
func testPrivateKey(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func kubeconfig(key string) string {
	return "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://10.0.0.1:6443\n" +
		"users:\n- name: deployer\n  user:\n    client-key-data: " + base64.StdEncoding.EncodeToString([]byte(key)) + "\n"
}

func TestGitLabFileVariableKubeconfigPrivateKeyIsFound(t *testing.T) {
	fx := newCIFixture(t)
	got := fx.classify(kubeconfig(testPrivateKey(t)), sources.CIOrigin{
		Platform: "gitlab", Scope: "acme/app", Level: "project", Variable: "KUBECONFIG", VariableType: "file"})
	var key *Finding
	for i := range got {
		if strings.HasPrefix(got[i].Rule.ID, "private-key") {
			key = &got[i]
		}
	}
	if key == nil {
		t.Fatalf("private key in client-key-data not found; got %d findings", len(got))
	}
	if key.Decoded != "base64" || key.Class != Unmanaged || len(key.NHI) == 0 || key.NHI[0] != NHI2 {
		t.Errorf("key finding: decoded %q class %s nhi %v", key.Decoded, key.Class, key.NHI)
	}
	for _, s := range []string{"KUBECONFIG", "not masked", "any branch"} {
		if !strings.Contains(key.Evidence, s) {
			t.Errorf("evidence %q does not say %q", key.Evidence, s)
		}
	}
	if key.Format != FormatYAML {
		t.Errorf("file variable read as %q, want YAML", key.Format)
	}
}

func TestGitLabMaskedVariableIsExternalizedAndUnprotectedSaysSo(t *testing.T) {
	fx := newCIFixture(t)
	for _, tc := range []struct {
		protected bool
		want      string
	}{{false, "anyone who can push a branch"}, {true, "only pipelines on protected branches"}} {
		got := fx.classify("Zq8vR2mK-prod-9x", sources.CIOrigin{
			Platform: "gitlab", Scope: "acme/app", Level: "project", Variable: "DEPLOY_PASSWORD", Masked: true, Protected: tc.protected})
		if len(got) != 1 {
			t.Fatalf("protected=%v: %d findings", tc.protected, len(got))
		}
		f := got[0]
		if f.Class != Externalized || len(f.NHI) != 0 || f.Secret != "Zq8vR2mK-prod-9x" || f.Key != "DEPLOY_PASSWORD" {
			t.Errorf("protected=%v: class %s nhi %v secret %q key %q", tc.protected, f.Class, f.NHI, f.Secret, f.Key)
		}
		if !strings.Contains(f.Evidence, "masked") || !strings.Contains(f.Evidence, tc.want) {
			t.Errorf("protected=%v: evidence %q does not say %q", tc.protected, f.Evidence, tc.want)
		}
	}
}

// TestGitLabExpandedVariableIsAReference: an expanded (not raw) GitLab
// variable whose value is another variable points at it; a raw one does
// not, since GitLab passes "$X" through as text.
func TestGitLabExpandedVariableIsAReference(t *testing.T) {
	fx := newCIFixture(t)
	for _, value := range []string{"${PROD_DB_PASSWORD}", "$PROD_DB_PASSWORD", " $PROD_DB_PASSWORD\n"} {
		got := fx.classify(value, sources.CIOrigin{Platform: "gitlab", Scope: "acme/app", Variable: "DB_PASSWORD", Masked: true})
		if len(got) != 1 || got[0].Reference == nil || got[0].Reference.Target != "PROD_DB_PASSWORD" || got[0].Class != Externalized {
			t.Errorf("%q: got %+v, want one externalized reference to PROD_DB_PASSWORD", value, got)
			continue
		}
		if !strings.Contains(got[0].Evidence, "not protected") {
			t.Errorf("%q: evidence %q does not say who can read it", value, got[0].Evidence)
		}
	}
	got := fx.classify("$PROD_DB_PASSWORD", sources.CIOrigin{Platform: "gitlab", Scope: "acme/app", Variable: "DB_PASSWORD", Raw: true})
	for _, f := range got {
		if f.Reference != nil {
			t.Errorf("raw variable: reference %+v, want none", f.Reference)
		}
	}
	if got := fx.classify("$PROD_DB_PASSWORD", sources.CIOrigin{Platform: "github", Scope: "acme/app", Variable: "DB_PASSWORD"}); len(got) != 0 {
		t.Errorf("GitHub variable: %+v, want nothing (GitHub does not expand variables)", got)
	}
}

func TestGitLabVariableWholeValue(t *testing.T) {
	fx := newCIFixture(t)
	cases := []struct {
		name  string
		value string
		ci    sources.CIOrigin
		class Class // "" for no finding
	}{
		{"secret-named, not masked", "hunter2-prod-Xk29q", sources.CIOrigin{Variable: "DB_PASSWORD"}, Unmanaged},
		{"masked, neutral name: declared secret", "Qm9vYmF6cXV4LTEy", sources.CIOrigin{Variable: "BUILD_ARG", Masked: true}, Externalized},
		{"plain configuration", "eu-west-1", sources.CIOrigin{Variable: "AWS_REGION"}, ""},
		{"neutral name, not masked", "Qm9vYmF6cXV4LTEy", sources.CIOrigin{Variable: "BUILD_ARG"}, ""},
		{"raw: $ is literal text, too weak a value", "$PROD", sources.CIOrigin{Variable: "DB_PASSWORD", Raw: true}, ""},
	}
	for _, tc := range cases {
		tc.ci.Platform, tc.ci.Scope, tc.ci.Level = "gitlab", "acme", "group"
		got := fx.classify(tc.value, tc.ci)
		if tc.class == "" {
			if len(got) != 0 {
				t.Errorf("%s: %d findings, want none: %+v", tc.name, len(got), got[0].Evidence)
			}
			continue
		}
		if len(got) != 1 || got[0].Class != tc.class || got[0].Rule.ID != LiteralRuleID {
			t.Errorf("%s: got %+v, want one %s literal", tc.name, got, tc.class)
		}
	}
}

func TestGitHubVariableHoldingACredentialIsUnmanaged(t *testing.T) {
	fx := newCIFixture(t)
	got := fx.classify(testPrivateKey(t), sources.CIOrigin{Platform: "github", Scope: "acme/api", Level: "environment", Environment: "production", Variable: "SSH_KEY"})
	if len(got) == 0 || !strings.HasPrefix(got[0].Rule.ID, "private-key") {
		t.Fatalf("private key in a GitHub variable not found: %+v", got)
	}
	f := got[0]
	if f.Class != Unmanaged || f.Key != "SSH_KEY" || !strings.Contains(f.Evidence, "plain configuration") || !strings.Contains(f.Evidence, "environment production") {
		t.Errorf("class %s key %q evidence %q", f.Class, f.Key, f.Evidence)
	}
	if got := fx.classify("eu-west-1", sources.CIOrigin{Platform: "github", Scope: "acme/api", Variable: "AWS_REGION"}); len(got) != 0 {
		t.Errorf("plain configuration reported: %+v", got)
	}
}

func TestSecretNamesEnterTheInventoryAsReferences(t *testing.T) {
	fx := newCIFixture(t)
	cases := []struct {
		ci              sources.CIOrigin
		pattern, phrase string
	}{
		{sources.CIOrigin{Platform: "github", Scope: "acme", Level: "organization", Variable: "NPM_TOKEN", NameOnly: true, Visibility: "all"},
			"github-actions-secret", "every repository of the organisation"},
		{sources.CIOrigin{Platform: "github", Scope: "acme/api", Level: "repository", Variable: "DB_PASSWORD", NameOnly: true},
			"github-actions-secret", "never returned by the API"},
		{sources.CIOrigin{Platform: "gitlab", Scope: "acme/app", Level: "project", Variable: "SIGNING_KEY", NameOnly: true, Hidden: true, Masked: true},
			"gitlab-ci-variable", "anyone who can push a branch"},
	}
	var all []Finding
	for _, tc := range cases {
		got := fx.classify("", tc.ci)
		if len(got) != 1 {
			t.Fatalf("%s: %d findings, want 1", tc.ci.Variable, len(got))
		}
		f := got[0]
		if f.Class != Externalized || f.Secret != "" || f.Reference == nil || f.Reference.Pattern != tc.pattern || f.Reference.Target != tc.ci.Variable {
			t.Errorf("%s: %+v ref %+v", tc.ci.Variable, f.Class, f.Reference)
		}
		if !strings.Contains(f.Evidence, tc.phrase) {
			t.Errorf("%s: evidence %q does not say %q", tc.ci.Variable, f.Evidence, tc.phrase)
		}
		all = append(all, got...)
	}
	inv := BuildInventory(all, Policy{})
	if len(inv.Credentials) != len(cases) {
		t.Fatalf("%d credentials, want %d", len(inv.Credentials), len(cases))
	}
	for _, c := range inv.Credentials {
		if !c.Reference || c.Class != Externalized || len(c.Locations) != 1 || c.Locations[0].CI == nil {
			t.Errorf("credential %+v", c)
		}
	}
}

func TestOneMaskedValueInTwoProjectsIsOneCredential(t *testing.T) {
	fx := newCIFixture(t)
	var all []Finding
	for _, scope := range []string{"acme/app", "acme/web"} {
		all = append(all, fx.classify("Zq8vR2mK-prod-9x", sources.CIOrigin{Platform: "gitlab", Scope: scope, Level: "project", Variable: "DEPLOY_PASSWORD", Masked: true})...)
	}
	inv := BuildInventory(all, Policy{})
	if len(inv.Credentials) != 1 || len(inv.Credentials[0].Services) != 2 {
		t.Fatalf("credentials %+v", inv.Credentials)
	}
}

func TestSniffFormat(t *testing.T) {
	for in, want := range map[string]Format{
		"{\"a\": 1}":                       FormatJSON,
		"# comment\nexport A=1\nB=2\n":     FormatDotenv,
		"[default]\naws_access_key_id = x": FormatINI,
		"apiVersion: v1\nkind: Config\n":   FormatYAML,
		"---\na: b\n":                      FormatYAML,
		"just some text":                   "",
		"":                                 "",
	} {
		if got := sniffFormat([]byte(in)); got != want {
			t.Errorf("sniffFormat(%q) = %q, want %q", in, got, want)
		}
	}
}
