package classify

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// ciWant is one occurrence a pipeline fixture must produce: its line, the
// rule (a detection rule id, or ref-<pattern> for a reference) and class.
type ciWant struct {
	line  int
	rule  string
	class Class
}

// pipelineFixtures hold, per platform, a pipeline with a literal, an
// externalized and a managed variant of a credential. Literal values are
// built at run time so that this file holds none.
func pipelineFixtures() map[string]struct {
	text  string
	wants []ciWant
} {
	lit := "hunter2-" + "prod-Xk29q"
	type fx = struct {
		text  string
		wants []ciWant
	}
	return map[string]fx{
		".github/workflows/deploy.yml": {`on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      DB_PASSWORD: ` + lit + `
      API_TOKEN: ${{ secrets.API_TOKEN }}
    steps:
      - id: vault
        uses: hashicorp/vault-action@v3
        with:
          url: https://vault.example.com
          secrets: |
            secret/data/ci/npm token | NPM_TOKEN ;
            secret/data/ci/aws accessKey
      - uses: aws-actions/aws-secretsmanager-get-secrets@v2
        with:
          secret-ids: |
            SIGNING_KEY, prod/signing
      - run: npm publish --token "$NPM_TOKEN"
      - run: ./sign.sh ${{ env.SIGNING_KEY }}
`, []ciWant{
			{8, LiteralRuleID, Unmanaged},
			{9, "ref-github-actions-secret", Externalized},
			{16, "ref-github-vault-action", Managed},
			{17, "ref-github-vault-action", Managed},
			{21, "ref-github-aws-secretsmanager", Managed},
			{22, "ref-ci-fetched-env", Managed},
			{23, "ref-ci-fetched-env", Managed},
		}},
		"actions/publish/action.yml": {`name: publish
runs:
  using: composite
  steps:
    - uses: hashicorp/vault-action@v3
      with:
        secrets: secret/data/ci/npm token | NPM_TOKEN
    - run: npm publish
      shell: bash
      env:
        NODE_AUTH_TOKEN: ${{ env.NPM_TOKEN }}
        REGISTRY_PASSWORD: ` + lit + `
`, []ciWant{
			{7, "ref-github-vault-action", Managed},
			{11, "ref-ci-fetched-env", Managed},
			{12, LiteralRuleID, Unmanaged},
		}},
		".gitlab-ci.yml": {`deploy:
  variables:
    REGISTRY_PASSWORD: ` + lit + `
  secrets:
    DATABASE_PASSWORD:
      vault: production/db/password@ops
  script:
    - ./migrate.sh --password "$DATABASE_PASSWORD"
    - docker login -u ci -p "$DEPLOY_TOKEN"
`, []ciWant{
			{3, LiteralRuleID, Unmanaged},
			{6, "ref-gitlab-secrets-vault", Managed},
			{8, "ref-ci-fetched-env", Managed},
			{9, "ref-gitlab-ci-variable", Externalized},
		}},
		".circleci/config.yml": {`version: 2.1
jobs:
  publish:
    environment:
      NPM_TOKEN: ` + lit + `
    steps:
      - run: docker login -p $DOCKER_PASSWORD
      - run:
          command: TOKEN=$(vault kv get -field=token secret/ci/api) ./release.sh
workflows:
  release:
    jobs:
      - publish:
          context: npm-publish
`, []ciWant{
			{5, LiteralRuleID, Unmanaged},
			{7, "ref-circleci-variable", Externalized},
			{9, "ref-vault-cli", Managed},
			{14, "ref-circleci-context", Externalized},
		}},
		"azure-pipelines.yml": {`variables:
  - group: release-secrets
  - name: dbPassword
    value: ` + lit + `
steps:
  - task: AzureKeyVault@2
    inputs:
      azureSubscription: prod
      KeyVaultName: acme-prod-kv
      SecretsFilter: 'registry-password,api-key'
  - script: docker login -p $(registry-password) acme.azurecr.io
  - script: ./call.sh $(apiToken)
`, []ciWant{
			{2, "ref-azure-pipelines-variable-group", Externalized},
			{4, LiteralRuleID, Unmanaged},
			{10, "ref-azure-keyvault-task", Managed},
			{11, "ref-ci-fetched-env", Managed},
			{12, "ref-env-paren", Externalized},
		}},
		"bitbucket-pipelines.yml": {`pipelines:
  default:
    - step:
        oidc: true
        script:
          - export AWS_WEB_IDENTITY_TOKEN=$BITBUCKET_STEP_OIDC_TOKEN
          - docker login -u ci -p $DOCKER_PASSWORD
          - pipe: atlassian/ssh-run:0.8.0
            variables:
              SSH_PASSWORD: ` + lit + `
`, []ciWant{
			{6, "ref-bitbucket-oidc-token", Managed},
			{7, "ref-bitbucket-variable", Externalized},
			{10, LiteralRuleID, Unmanaged},
		}},
		"Jenkinsfile": {`pipeline {
  agent any
  environment {
    DOCKER_PASSWORD = credentials('dockerhub-password')
    API_TOKEN = '` + lit + `'
  }
  stages {
    stage('publish') {
      steps {
        withCredentials([string(credentialsId: 'npm-token', variable: 'NPM_TOKEN')]) {
          sh 'npm publish'
        }
        withVault([vaultSecrets: [[path: 'secret/ci/sign', secretValues: [[envVar: 'SIGN_KEY', vaultKey: 'key']]]]]) {
          sh './sign.sh $SIGN_KEY'
        }
      }
    }
  }
}
`, []ciWant{
			{4, "ref-jenkins-credentials", Externalized},
			{5, LiteralRuleID, Unmanaged},
			{10, "ref-jenkins-with-credentials", Externalized},
			{13, "ref-jenkins-vault-plugin", Managed},
			{14, "ref-ci-fetched-env", Managed},
		}},
		".travis.yml": {`language: go
env:
  global:
    - secure: "bB1cZ2qWn9Xy0k4LmV7pR3tS8uE5aF6gH1jK2lZ9xC0vB3nM4qW5eR6tY7uI8oP9aS0dF1gH2jK3lZ4xC5vB6n=="
    - GO111MODULE=on API_TOKEN=` + lit + `
script:
  - export DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id prod/db --query SecretString --output text)
`, []ciWant{
			{4, "ref-travis-secure", Externalized},
			{5, LiteralRuleID, Unmanaged},
			{7, "ref-aws-get-secret-value", Managed},
		}},
		".drone.yml": {`kind: pipeline
steps:
  - name: publish
    image: plugins/docker
    settings:
      password:
        from_secret: docker_password
    environment:
      SLACK_TOKEN: ` + lit + `
---
kind: secret
name: docker_password
get:
  path: secret/data/docker
  name: password
`, []ciWant{
			{7, "ref-drone-from-secret", Externalized},
			{9, LiteralRuleID, Unmanaged},
			{14, "ref-drone-secret-extension", Managed},
		}},
		".buildkite/pipeline.yml": {`steps:
  - command: ./deploy.sh
    env:
      DEPLOY_PASSWORD: ` + lit + `
    secrets:
      - API_TOKEN
    plugins:
      - seek-oss/aws-sm#v2.3.2:
          env:
            DB_PASSWORD: prod/billing/db
  - command: ./migrate.sh --password "$DB_PASSWORD"
`, []ciWant{
			{4, LiteralRuleID, Unmanaged},
			{6, "ref-buildkite-step-secrets", Externalized},
			{10, "ref-buildkite-aws-sm-plugin", Managed},
			{11, "ref-ci-fetched-env", Managed},
		}},
	}
}

// TestPipelineProviders checks, per platform, that each variant is found
// with its class at its line.
func TestPipelineProviders(t *testing.T) {
	c := loadSet(t)
	platforms := map[Platform]bool{}
	for path, fx := range pipelineFixtures() {
		t.Run(path, func(t *testing.T) {
			platforms[PlatformOf(path)] = true
			got := classifyPipeline(c, path, fx.text)
			for _, w := range fx.wants {
				if !hasOccurrence(got, w) {
					t.Errorf("no %s %s at line %d; got:\n%s", w.class, w.rule, w.line, describe(got))
				}
			}
		})
	}
	if len(platforms) != 9 {
		t.Errorf("fixtures cover %d platforms, ciWant 9: %v", len(platforms), platforms)
	}
}

func classifyPipeline(c *Classifier, path, text string) []Finding {
	ch := sources.Chunk{Data: []byte(text), Origin: &sources.Origin{Source: sources.KindFile, Path: path}, StartLine: 1}
	return c.Chunk(ch, nil).Findings
}

func hasOccurrence(got []Finding, w ciWant) bool {
	for _, f := range got {
		if f.Line == w.line && f.Rule.ID == w.rule && f.Class == w.class {
			return true
		}
	}
	return false
}

func describe(got []Finding) string {
	var b strings.Builder
	for _, f := range got {
		target := ""
		if f.Reference != nil {
			target = f.Reference.Target
		}
		fmt.Fprintf(&b, "  %d %s %s %q key=%s\n", f.Line, f.Rule.ID, f.Class, target, f.Key)
	}
	return b.String()
}
