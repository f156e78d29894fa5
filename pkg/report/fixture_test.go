package report

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// testKey is the fingerprint key of every fixture report, so that golden
// files do not change when the default key does.
var testKey = []byte("test-fingerprint-key")

// Fake secrets are assembled from pieces so that this file does not look
// like it holds live credentials to sprawl or any other scanner.
var (
	secretGitHub  = "gh" + "p_" + "R2d2C3poLukeLeiaHanChewieYoda0123456"
	secretAWS     = "AK" + "IA" + "QWERTYUIOPASDFGH"
	secretSlack   = "xo" + "xb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
	secretNPM     = "np" + "m_" + "Zyxwvutsrqponmlkjihgfedcba9876543210"
	secretPass    = "hunter2-" + "prod-Xk29q"
	secretPEMBody = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ"
	secretPEM     = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + secretPEMBody + "\n-----END RSA PRIVATE KEY-----"
	slackEncoded  = base64.StdEncoding.EncodeToString([]byte(secretSlack))
)

// fixtureSecrets lists every raw secret of the fixture, and the encoded
// form of the decoded one, for tests that a report leaks none of them.
func fixtureSecrets() []string {
	return []string{secretGitHub, secretAWS, secretSlack, secretNPM, secretPass, secretPEM, secretPEMBody, slackEncoded}
}

var (
	ruleGitHub = &detect.Rule{ID: "github-classic-pat", Title: "GitHub classic personal access token", Provider: "GitHub",
		Severity: detect.SeverityCritical, Validate: "github-checksum",
		Remediation: "Revoke the token at https://github.com/settings/tokens and replace it with a fine-grained token kept in a secrets manager."}
	ruleAWS = &detect.Rule{ID: "aws-access-key-id", Title: "AWS access key ID", Provider: "AWS", Severity: detect.SeverityHigh,
		Description: "An AWS IAM access key ID, half of a long-lived AWS credential."}
	ruleSlack = &detect.Rule{ID: "slack-bot-token", Title: "Slack bot token", Provider: "Slack", Severity: detect.SeverityHigh}
	rulePEM   = &detect.Rule{ID: "private-key-pem", Title: "PEM private key", Provider: "", Severity: detect.SeverityHigh,
		Tags: []string{"crypto"}}
	rulePass = &detect.Rule{ID: "generic-password", Title: "Password assignment", Severity: detect.SeverityMedium,
		Tags: []string{"generic"}}
	ruleNPM = &detect.Rule{ID: "npm-access-token", Title: "npm access token", Provider: "npm", Severity: detect.SeverityLow}
)

func finding(r *detect.Rule, secret, line string, o *sources.Origin, ln int) classify.Finding {
	col := strings.Index(line, secret) + 1
	endLine := ln + strings.Count(secret, "\n")
	endCol := col + len(secret) - 1
	if i := strings.LastIndex(secret, "\n"); i >= 0 {
		endCol = len(secret) - i - 1
	}
	return classify.Finding{
		Finding: detect.Finding{
			Rule: r, Secret: secret, Match: secret, LineText: line, Origin: o,
			Line: ln, Column: col, EndLine: endLine, EndColumn: endCol,
			Offset: int64(100 * ln), Entropy: detect.ShannonEntropy(secret),
		},
		Class:    classify.Unmanaged,
		Evidence: "literal value in scanned content",
		NHI:      []string{classify.NHI2},
	}
}

// fixtureReport is a fixed scan: every severity, a git finding in history
// only and one at HEAD, a multi-line secret, a decoded secret in a path
// with spaces and non-ASCII characters, an image layer, skips, warnings
// and baselined findings.
func fixtureReport() *Report {
	appEnv := &sources.Origin{Source: sources.KindFile, Path: "config/app.env"}
	started := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

	gh := finding(ruleGitHub, secretGitHub, "GITHUB_TOKEN="+secretGitHub, appEnv, 3)
	pass := finding(rulePass, secretPass, `DB_PASSWORD="`+secretPass+`" # shared with `+secretGitHub[:10], appEnv, 7)

	aws := finding(ruleAWS, secretAWS, "export AWS_ACCESS_KEY_ID="+secretAWS, &sources.Origin{
		Source: sources.KindGit, Path: "scripts/deploy.sh",
		Git: &sources.GitOrigin{Commit: "4b825dc642cb6eb9a060e54bf8d69288fbee4904", Author: "Alice Example",
			Email: "alice@example.com", Date: time.Date(2023, 5, 4, 10, 20, 30, 0, time.UTC),
			Message: "Add deploy script", PresentAtHEAD: false},
	}, 12)

	pem := finding(rulePEM, secretPEM, secretPEM, &sources.Origin{
		Source: sources.KindGit, Path: "keys/id_rsa",
		Git: &sources.GitOrigin{Commit: "9fceb02d0ae598e95dc970b74767f19372d61af8", Author: "Bob Builder",
			Email: "bob@example.com", Date: time.Date(2024, 1, 15, 8, 0, 0, 0, time.FixedZone("CET", 3600)),
			Message: "Add key", PresentAtHEAD: true},
	}, 1)

	slackLine := "  slack: 日本 " + slackEncoded + " # ünï"
	slack := finding(ruleSlack, slackEncoded, slackLine, &sources.Origin{Source: sources.KindFile, Path: "k8s/secret ünï 日本.yaml"}, 4)
	slack.Secret, slack.Match, slack.Decoded = secretSlack, secretSlack, "base64"
	slack.Entropy = detect.ShannonEntropy(secretSlack)

	npm := finding(ruleNPM, secretNPM, "//registry.npmjs.org/:_authToken="+secretNPM, &sources.Origin{
		Source: sources.KindImage, Path: "app/.npmrc",
		Image: &sources.ImageOrigin{Reference: "registry.example.com/app:1.4.2", Digest: "sha256:" + strings.Repeat("ab", 32),
			Platform: "linux/amd64", LayerIndex: 3, LayerDigest: "sha256:" + strings.Repeat("cd", 32),
			CreatedBy: "COPY .npmrc /app/", Deleted: true},
	}, 1)

	aws.Key = "AWS_ACCESS_KEY_ID"
	findings := []classify.Finding{gh, pass, aws, pem, slack, npm}
	refs := fixtureReferences()
	all := append(append([]classify.Finding{}, findings...), refs...)
	inv := classify.BuildInventory(all, classify.Policy{Key: testKey, Now: started, MaxAge: classify.DefaultMaxAge, Scope: "app",
		CodeOwners: classify.ParseCodeOwners([]byte("* @acme/dev\n/config/ @acme/platform\n"))})
	findings, refs = all[:len(findings)], all[len(findings):]

	var warnings []sources.Warning
	for i, p := range []string{"a.tar", "b.zip", "c.gz", "d/e", "f.pack", "g.bin", "h.jar"} {
		warnings = append(warnings, sources.Warning{Place: p, Message: []string{"truncated archive", "permission denied"}[i%2]})
	}
	return &Report{
		Tool:       Tool{Name: "sprawl", Version: "1.2.3", URI: "https://github.com/sprawl-sec/sprawl"},
		Command:    "dir",
		Targets:    []string{"."},
		Findings:   findings,
		References: refs,
		Inventory:  inv,
		Rules:      []*detect.Rule{ruleAWS, ruleGitHub, rulePass, ruleNPM, rulePEM, ruleSlack},
		Stats: sources.Snapshot{Items: 1234, Bytes: 5678901,
			Skipped:  map[string]int{sources.SkipBinary: 12, sources.SkipTooLarge: 2},
			Warnings: warnings},
		Started:   started,
		Elapsed:   1234 * time.Millisecond,
		Baselined: 2,
	}
}

// reference builds a reference occurrence as the classifier does.
func reference(pattern, title, provider string, class classify.Class, target, key, line string, o *sources.Origin, ln int, global bool) classify.Finding {
	rule := &detect.Rule{ID: "ref-" + pattern, Title: title + " reference", Provider: provider, Severity: detect.SeverityLow,
		Description: title + " reference.", Tags: []string{"reference", string(class)}}
	f := finding(rule, target, line, o, ln)
	f.Secret, f.Class, f.NHI, f.Key = "", class, nil, key
	f.Evidence = title + " " + target + ": kept outside the code"
	f.Reference = &classify.Reference{Pattern: pattern, Provider: provider, Target: target, Global: global}
	return f
}

// fixtureReferences are the managed and externalized occurrences of the
// fixture: a Vault path, a GitHub Actions secret, one Secrets Manager ARN
// in two services (prod and staging), and the reference that replaced the
// AWS key of the history-only finding.
func fixtureReferences() []classify.Finding {
	arn := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"
	return []classify.Finding{
		reference("github-actions-secret", "GitHub Actions secret", "GitHub Actions", classify.Externalized, "NPM_TOKEN", "NODE_AUTH_TOKEN",
			"      NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}", &sources.Origin{Source: sources.KindFile, Path: ".github/workflows/release.yml"}, 9, false),
		reference("vault-path", "HashiCorp Vault path", "HashiCorp Vault", classify.Managed, "secret/data/billing/db#password", "DB_PASSWORD",
			"    value: vault:secret/data/billing/db#password", &sources.Origin{Source: sources.KindFile, Path: "deploy/prod/k8s.yaml"}, 14, false),
		reference("aws-secretsmanager-arn", "AWS Secrets Manager secret ARN", "AWS Secrets Manager", classify.Managed, arn, "DB_PASSWORD",
			`{"name": "DB_PASSWORD", "valueFrom": "`+arn+`"}`, &sources.Origin{Source: sources.KindFile, Path: "services/billing/prod/task.json"}, 3, true),
		reference("aws-secretsmanager-arn", "AWS Secrets Manager secret ARN", "AWS Secrets Manager", classify.Managed, arn, "DB_PASSWORD",
			`{"name": "DB_PASSWORD", "valueFrom": "`+arn+`"}`, &sources.Origin{Source: sources.KindFile, Path: "services/search/staging/task.json"}, 3, true),
		reference("env-brace", "Environment variable", "Environment", classify.Externalized, "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID",
			"export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID}", &sources.Origin{Source: sources.KindFile, Path: "scripts/deploy.sh"}, 12, false),
	}
}

func fixtureOptions() Options {
	return Options{Redact: true, FingerprintKey: testKey}
}
