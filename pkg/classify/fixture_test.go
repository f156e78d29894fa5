package classify

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/files"
)

// testRules stand in for the detection rule set, which other work keeps
// changing: one distinctive token format, enough to show that a detector
// finding is judged with its key.
const testRules = `
rules:
  - id: test-token
    title: Test token
    provider: Test
    severity: high
    keywords: [tok_]
    pattern: '\b(tok_[0-9A-Za-z]{24})\b'
    examples: ['tok_` + "Ab3dEf6hIj9kLm2nOp5qRs8t" + `']
    counter-examples: ['tok_short']
`

// tok builds a test token without writing one literally in this file.
func tok(s string) string { return "tok_" + s }

// fixtureProject is a small repository with every reference form next to
// its literal counterpart.
var fixtureProject = map[string]string{
	".github/workflows/deploy.yml": "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      DB_PASSWORD: ${{ secrets.DB_PASSWORD }}\n      GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n      API_TOKEN: ${{ vars.API_TOKEN }}\n      REGION: ${{ vars.AWS_REGION }}\n      SLACK_TOKEN: " + tok("Sl4ckT0kenLiteralValue99") + "\n",
	".gitlab-ci.yml":               "deploy:\n  script:\n    - docker login -u ci -p $CI_JOB_TOKEN $CI_REGISTRY\n    - curl -H \"PRIVATE-TOKEN: $DEPLOY_TOKEN\" https://gitlab.example.com\n  variables:\n    REGISTRY_PASSWORD: hunter2-prod-Xk29q\n",
	".circleci/config.yml":         "version: 2.1\nworkflows:\n  release:\n    jobs:\n      - publish:\n          context: npm-publish\njobs:\n  publish:\n    steps:\n      - run: echo \"//registry.npmjs.org/:_authToken=$NPM_TOKEN\" > ~/.npmrc\n",
	"docker-compose.yml":           "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      REDIS_PASSWORD: r3dis-Pa55-Qz81x\n",
	"deploy.sh":                    "curl -u admin:$ADMIN_PASSWORD https://registry.example.com\nDB_PASSWORD=$(curl -s $VAULT_ADDR/v1/secret/data/db)\nexport API_TOKEN=$(vault kv get -field=token secret/ci/api)\nSM=$(aws secretsmanager get-secret-value --secret-id prod/billing/db)\nK=$(aws ssm get-parameter --name /prod/api-key --with-decryption)\nG=$(gcloud secrets versions access latest --secret=db-password)\nA=$(az keyvault secret show --vault-name kv --name db-password)\n",
	"azure-pipelines.yml":          "steps:\n  - script: docker login -p $(registryPassword) myregistry.azurecr.io\n",
	"main.go":                      "package main\n\nvar password = os.Getenv(\"DB_PASSWORD\")\nvar apiToken = \"" + tok("G0LiteralTokenValue12345") + "\"\n",
	"src/config.js":                "module.exports = {\n  apiKey: process.env.STRIPE_API_KEY,\n  token: '" + tok("JsLiteralTokenValue12345") + "',\n};\n",
	"app/settings.py":              "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n",
	"src/Main.java":                "String token = System.getenv(\"API_TOKEN\");\n",
	"Dockerfile":                   "FROM node:20\nRUN --mount=type=secret,id=npm_token npm ci\nENV API_KEY=d0cker-Baked-Key-77aQ\n",
	"Jenkinsfile":                  "environment {\n  DOCKER_PASSWORD = credentials('dockerhub-password')\n}\n",
	"k8s/deployment.yaml":          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  annotations:\n    vault.hashicorp.com/agent-inject-secret-db: \"database/creds/app\"\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: billing-db\n                  key: password\n            - name: VAULT_PASSWORD\n              value: vault:secret/data/billing/db#password\n            - name: SM_KEY\n              value: sm://acme-prod/api-key\n            - name: ADMIN_PASSWORD\n              value: Adm1n-Literal-Pw-42x\n          envFrom:\n            - secretRef:\n                name: billing-env\n      volumes:\n        - name: tls\n          secret:\n            secretName: api-tls\n",
	"k8s/external-secret.yaml":     "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nspec:\n  data:\n    - secretKey: DB_PASSWORD\n      remoteRef:\n        key: prod/billing/db\n  dataFrom:\n    - extract:\n        key: prod/billing\n",
	"k8s/sealed.yaml":              "kind: SealedSecret\nspec:\n  encryptedData:\n    DB_PASSWORD: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq4eFJtSyebUMgbQX5mhjeBbuI2CJh4Dgx\n",
	"k8s/doppler.yaml":             "kind: DopplerSecret\nspec:\n  managedSecret:\n    name: billing-env\n",
	"k8s/infisical.yaml":           "kind: InfisicalSecret\nspec:\n  managedSecretReference:\n    secretName: billing-env\n",
	"templates/db.ctmpl":           "{{ with secret \"database/creds/readonly\" }}{{ .Data.password }}{{ end }}\n",
	"ecs/task.json":                "{\"secrets\": [{\"name\": \"DB_PASSWORD\", \"valueFrom\": \"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf\"}, {\"name\": \"API_KEY\", \"valueFrom\": \"arn:aws:ssm:us-east-1:123456789012:parameter/prod/api-key\"}], \"environment\": [{\"name\": \"SMTP_PASSWORD\", \"value\": \"smtp-Literal-99xQz\"}]}\n",
	"cfn/stack.yaml":               "Resources:\n  Db:\n    Properties:\n      MasterUserPassword: '{{resolve:ssm-secure:/prod/db/password:3}}'\n      ReplicaPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'\n",
	"cloudbuild.yaml":              "availableSecrets:\n  secretManager:\n    - versionName: projects/acme-prod/secrets/db-password/versions/latest\n      env: DB_PASSWORD\n",
	"appsettings.json":             "{\"Db\": {\"Password\": \"@Microsoft.KeyVault(SecretUri=https://acme-prod.vault.azure.net/secrets/db-conn/)\", \"ApiKey\": \"https://acme-prod.vault.azure.net/secrets/api-key\", \"SigningKey\": \"appS3ttings-Literal-K3y\"}}\n",
	".env":                         "DB_PASSWORD=op://Production/billing-db/password\nSTRIPE_KEY=dotenv-Literal-Str1pe-k\n",
	"Procfile":                     "web: doppler run --project billing -- node server.js\nworker: infisical run --env=prod -- node worker.js\n",
	"secrets/prod.enc.yaml":        "db_password: ENC[AES256_GCM,data:p673w==,iv:YY0+3aRc/zE=,tag:Vyt3bQ==,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:AbC=,iv:DeF=,tag:GhI=,type:str]\n  version: 3.8.1\n",
	"infra/main.tf":                "data \"aws_secretsmanager_secret_version\" \"db\" {\n  secret_id = \"prod/db\"\n}\ndata \"vault_generic_secret\" \"api\" {\n  path = \"secret/prod/api\"\n}\ndata \"google_secret_manager_secret_version\" \"gdb\" {\n  secret = \"db\"\n}\nresource \"aws_db_instance\" \"main\" {\n  password = \"tf-Literal-Passw0rd-x\"\n}\n",
	"config/app.toml":              "[database]\npassword = \"t0ml-Literal-Pass-77\"\n",
	"config/app.properties":        "spring.datasource.password=pr0ps-Literal-Pass-55\n",
}

// want is one expected occurrence: a reference pattern and target, or a
// literal (pattern "") of a key.
type want struct {
	path, pattern, target, key string
	class                      Class
	evidence                   string
}

var fixtureWants = []want{
	{".github/workflows/deploy.yml", "github-actions-secret", "DB_PASSWORD", "DB_PASSWORD", Externalized, "GitHub Actions secret store"},
	{".github/workflows/deploy.yml", "github-actions-token", "secrets.GITHUB_TOKEN", "GH_TOKEN", Managed, "expires when the job ends"},
	{".github/workflows/deploy.yml", "github-actions-var", "API_TOKEN", "API_TOKEN", Unmanaged, "plain configuration"},
	{".github/workflows/deploy.yml", "", "", "SLACK_TOKEN", Unmanaged, "literal value of key SLACK_TOKEN in YAML"},
	{".gitlab-ci.yml", "gitlab-job-token", "CI_JOB_TOKEN", "", Managed, "issued by GitLab for each job"},
	{".gitlab-ci.yml", "gitlab-ci-variable", "DEPLOY_TOKEN", "", Externalized, "GitLab CI/CD variable"},
	{".gitlab-ci.yml", "", "", "REGISTRY_PASSWORD", Unmanaged, "secret-named key REGISTRY_PASSWORD in YAML"},
	{".circleci/config.yml", "circleci-context", "npm-publish", "context", Externalized, "CircleCI context"},
	{".circleci/config.yml", "circleci-variable", "NPM_TOKEN", "", Externalized, "CircleCI project or context variable"},
	{"docker-compose.yml", "env-brace", "POSTGRES_PASSWORD", "POSTGRES_PASSWORD", Externalized, "from the environment"},
	{"docker-compose.yml", "", "", "REDIS_PASSWORD", Unmanaged, "secret-named key REDIS_PASSWORD"},
	{"deploy.sh", "env-dollar", "ADMIN_PASSWORD", "", Externalized, "from the environment"},
	{"deploy.sh", "vault-addr-path", "secret/data/db", "DB_PASSWORD", Managed, "Vault HTTP API"},
	{"deploy.sh", "vault-cli", "secret/ci/api", "API_TOKEN", Managed, "vault CLI"},
	{"deploy.sh", "aws-get-secret-value", "prod/billing/db", "SM", Managed, "GetSecretValue"},
	{"deploy.sh", "aws-ssm-parameter", "/prod/api-key", "K", Managed, "SecureString"},
	{"deploy.sh", "gcloud-secrets-access", "db-password", "G", Managed, "gcloud secrets"},
	{"deploy.sh", "az-keyvault-cli", "db-password", "A", Managed, "Azure Key Vault"},
	{"azure-pipelines.yml", "env-paren", "registryPassword", "", Externalized, "pipeline or make variable"},
	{"main.go", "env-go-getenv", "DB_PASSWORD", "password", Externalized, "os.Getenv"},
	{"main.go", "", "", "apiToken", Unmanaged, "literal value of key apiToken in scanned content"},
	{"src/config.js", "env-node-process-env", "STRIPE_API_KEY", "apiKey", Externalized, "process.env"},
	{"src/config.js", "", "", "token", Unmanaged, "literal value of key token"},
	{"app/settings.py", "env-python-environ", "DJANGO_SECRET_KEY", "SECRET_KEY", Externalized, "os.environ"},
	{"src/Main.java", "env-getenv", "API_TOKEN", "token", Externalized, "System.getenv"},
	{"Dockerfile", "docker-build-secret", "npm_token", "", Externalized, "BuildKit secret mount"},
	{"Dockerfile", "", "", "API_KEY", Unmanaged, "secret-named key API_KEY in Dockerfile"},
	{"Jenkinsfile", "jenkins-credentials", "dockerhub-password", "DOCKER_PASSWORD", Externalized, "Jenkins credential store"},
	{"k8s/deployment.yaml", "vault-agent-inject", "database/creds/app", "", Managed, "Vault Agent injector"},
	{"k8s/deployment.yaml", "k8s-secret-key-ref", "billing-db", "DB_PASSWORD", Managed, "secretKeyRef"},
	{"k8s/deployment.yaml", "vault-path", "secret/data/billing/db#password", "VAULT_PASSWORD", Managed, "vault:path"},
	{"k8s/deployment.yaml", "gcp-sm-uri", "acme-prod/api-key", "SM_KEY", Managed, "Google Cloud Secret Manager"},
	{"k8s/deployment.yaml", "", "", "ADMIN_PASSWORD", Unmanaged, "secret-named key ADMIN_PASSWORD in YAML"},
	{"k8s/deployment.yaml", "k8s-envfrom-secret", "billing-env", "", Managed, "envFrom.secretRef"},
	{"k8s/deployment.yaml", "k8s-secret-volume", "api-tls", "", Managed, "mounts a Kubernetes Secret"},
	{"k8s/external-secret.yaml", "external-secret-remote-ref", "prod/billing/db", "DB_PASSWORD", Managed, "ExternalSecret"},
	{"k8s/external-secret.yaml", "external-secret-data-from", "prod/billing", "", Managed, "every key"},
	{"k8s/sealed.yaml", "sealed-secret", "DB_PASSWORD", "", Managed, "sealed-secrets controller"},
	{"k8s/doppler.yaml", "doppler-operator", "billing-env", "", Managed, "Doppler operator"},
	{"k8s/infisical.yaml", "infisical-operator", "billing-env", "", Managed, "Infisical operator"},
	{"templates/db.ctmpl", "vault-template", "database/creds/readonly", "", Managed, "Vault Agent template"},
	{"ecs/task.json", "aws-secretsmanager-arn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", "DB_PASSWORD", Managed, "AWS Secrets Manager by ARN"},
	{"ecs/task.json", "aws-ssm-parameter", "arn:aws:ssm:us-east-1:123456789012:parameter/prod/api-key", "API_KEY", Managed, "SSM Parameter Store"},
	{"ecs/task.json", "", "", "SMTP_PASSWORD", Unmanaged, "secret-named key SMTP_PASSWORD in JSON"},
	{"cfn/stack.yaml", "aws-ssm-secure", "/prod/db/password", "MasterUserPassword", Managed, "SSM Parameter Store"},
	{"cfn/stack.yaml", "aws-secretsmanager-dynamic", "prod/db", "ReplicaPassword", Managed, "CloudFormation resolves"},
	{"cloudbuild.yaml", "gcp-secret-manager-path", "acme-prod/secrets/db-password", "DB_PASSWORD", Managed, "Google Cloud Secret Manager"},
	{"appsettings.json", "azure-keyvault-reference", "SecretUri=https://acme-prod.vault.azure.net/secrets/db-conn/", "Password", Managed, "@Microsoft.KeyVault"},
	{"appsettings.json", "azure-keyvault-uri", "acme-prod.vault.azure.net/secrets/api-key", "ApiKey", Managed, "secret URI"},
	{"appsettings.json", "", "", "SigningKey", Unmanaged, "secret-named key SigningKey in JSON"},
	{".env", "onepassword-reference", "Production/billing-db/password", "DB_PASSWORD", Managed, "1Password"},
	{".env", "", "", "STRIPE_KEY", Unmanaged, "secret-named key STRIPE_KEY in .env"},
	{"Procfile", "doppler-secret", "billing", "", Managed, "Doppler"},
	{"Procfile", "infisical-secret", "prod", "", Managed, "Infisical"},
	{"secrets/prod.enc.yaml", "sops-encrypted-value", "secrets/prod.enc.yaml#db_password", "db_password", Managed, "sops ciphertext"},
	{"secrets/prod.enc.yaml", "sops-metadata", "mac", "mac", Managed, "sops metadata"},
	{"infra/main.tf", "terraform-aws-secretsmanager", "db", "", Managed, "aws_secretsmanager_secret_version"},
	{"infra/main.tf", "terraform-vault-secret", "api", "", Managed, "vault_generic_secret"},
	{"infra/main.tf", "terraform-cloud-secret-data", "gdb", "", Managed, "google_secret_manager_secret_version"},
	{"infra/main.tf", "", "", "password", Unmanaged, "secret-named key password in HCL"},
	{"config/app.toml", "", "", "password", Unmanaged, "secret-named key password in TOML"},
	{"config/app.properties", "", "", "spring.datasource.password", Unmanaged, "in properties"},
}

// scanProject writes the fixture to disk and runs it through the files
// walker, detect and the classifier, as a scan does.
func scanProject(t *testing.T, project map[string]string) []Finding {
	t.Helper()
	root := t.TempDir()
	for p, content := range project {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := detect.ParseRules([]byte(testRules), "test-rules")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := detect.NewEngine(rs, detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := loadSet(t)
	var mu sync.Mutex
	var all []Finding
	w := files.New(files.Options{Roots: []string{root}, Workers: 4})
	err = w.Walk(context.Background(), func(ch sources.Chunk) error {
		res := c.Chunk(ch, eng.Scan(ch))
		mu.Lock()
		defer mu.Unlock()
		for _, f := range res.Findings {
			f.Origin.Path = strings.TrimPrefix(filepath.ToSlash(strings.TrimPrefix(f.Origin.Path, root)), "/")
			all = append(all, f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Origin.Path != all[j].Origin.Path {
			return all[i].Origin.Path < all[j].Origin.Path
		}
		return all[i].Offset < all[j].Offset
	})
	return all
}

// TestFixtureProject asserts the class and evidence of every reference
// form and literal counterpart in the fixture, and that nothing else is
// reported.
func TestFixtureProject(t *testing.T) {
	got := scanProject(t, fixtureProject)
	used := make([]bool, len(got))
	refs := 0
	for _, w := range fixtureWants {
		if w.pattern != "" {
			refs++
		}
		found := false
		for i, f := range got {
			if used[i] || f.Origin.Path != w.path || (f.Reference == nil) != (w.pattern == "") {
				continue
			}
			if w.pattern != "" && (f.Reference.Pattern != w.pattern || f.Reference.Target != w.target) {
				continue
			}
			if w.pattern == "" && f.Key != w.key {
				continue
			}
			used[i], found = true, true
			if f.Class != w.class {
				t.Errorf("%s %s %s: class %s, want %s", w.path, w.pattern, w.target, f.Class, w.class)
			}
			if w.key != "" && f.Key != w.key {
				t.Errorf("%s %s: key %q, want %q", w.path, w.pattern, f.Key, w.key)
			}
			if !strings.Contains(f.Evidence, w.evidence) {
				t.Errorf("%s %s: evidence %q lacks %q", w.path, w.pattern, f.Evidence, w.evidence)
			}
			if w.pattern == "" && (f.Secret == "" || f.Rule == nil) {
				t.Errorf("%s key %s: literal without secret or rule", w.path, w.key)
			}
			break
		}
		if !found {
			t.Errorf("missing: %+v", w)
		}
	}
	if refs < 40 {
		t.Errorf("fixture has %d reference forms, want at least 40", refs)
	}
	for i, f := range got {
		if !used[i] {
			target := ""
			if f.Reference != nil {
				target = f.Reference.Pattern + " " + f.Reference.Target
			}
			t.Errorf("unexpected occurrence %s:%d %s key %q class %s %s", f.Origin.Path, f.Line, f.Rule.ID, f.Key, f.Class, target)
		}
	}
}

// TestLiteralFallbackDefersToRules: a value a detection rule recognised
// and rejected (bad checksum, disabled) is not re-reported as a literal.
func TestLiteralFallbackDefersToRules(t *testing.T) {
	set := loadSet(t).set
	text := "SMTP_PASSWORD=" + tok("Sl4ckT0kenLiteralValue99") + "\n"
	ch := sources.Chunk{Data: []byte(text), Origin: &sources.Origin{Source: sources.KindFile, Path: ".env"}, StartLine: 1}
	if got := NewFromSet(set, Options{}).Chunk(ch, nil).Findings; len(got) != 1 || got[0].Rule.ID != "secret-key-literal" {
		t.Fatalf("without a recogniser: %d findings", len(got))
	}
	recognised := Options{Recognised: func(line []byte) bool { return strings.Contains(string(line), "tok_") }}
	if got := NewFromSet(set, recognised).Chunk(ch, nil).Findings; len(got) != 0 {
		t.Errorf("a line a rule recognised was reported again as a literal")
	}
}
