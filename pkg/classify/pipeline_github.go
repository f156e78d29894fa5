package classify

import (
	"regexp"
	"slices"
	"strings"
)

// githubStep finds the steps of workflow jobs and composite actions by
// their uses: leaf.
var githubStep = regexp.MustCompile(`^((?:jobs\.[^.]+\.steps|runs\.steps)\[\d+\])\.uses$`)

// github reads GitHub Actions: secrets-manager actions, and static cloud
// keys where OIDC federation would do.
func (s *pipelineScan) github() {
	for _, l := range s.leaves {
		m := githubStep.FindStringSubmatch(l.Path)
		if m == nil {
			continue
		}
		step := m[1]
		id, _ := s.leaf(step + ".id")
		action, _, _ := strings.Cut(strings.ToLower(l.Value), "@")
		switch action {
		case "hashicorp/vault-action":
			s.githubFetch(step+".with.secrets", ";", "github-vault-action", id.Value, vaultActionNames)
		case "aws-actions/aws-secretsmanager-get-secrets":
			s.githubFetch(step+".with.secret-ids", "", "github-aws-secretsmanager", "", awsSecretNames)
		case "google-github-actions/get-secretmanager-secrets":
			s.githubFetch(step+".with.secrets", "", "github-gcp-secretmanager", id.Value, func(_, name string) []string { return []string{name} })
		}
		if inputs, ok := oidcInputs[action]; ok {
			for _, in := range inputs {
				if v, ok := s.leaf(step + ".with." + in); ok {
					s.oidcHint(v, action)
				}
			}
		}
	}
	for _, l := range s.leaves {
		if staticAWSEnv.MatchString(l.Path) {
			s.oidcHint(l, "aws-actions/configure-aws-credentials")
		}
	}
}

// githubFetch runs a fetch action's pattern on each entry of its input
// and records a managed reference per entry. names gives the variables
// (env names, step outputs) the action sets for an entry.
func (s *pipelineScan) githubFetch(input, seps, patternID, stepID string, names func(target, name string) []string) {
	p := s.pattern(patternID)
	if p == nil {
		return
	}
	nameGroup := p.re.SubexpIndex("name")
	for _, e := range s.listOrBlock(input, seps) {
		m := p.re.FindStringSubmatch(e.text)
		if m == nil {
			continue
		}
		target := strings.Join(strings.Fields(m[p.targetGroup]), "#")
		name := ""
		if nameGroup > 0 {
			name = m[nameGroup]
		}
		s.fetch(p, e.start, e.end, target, stepID, names(target, name)...)
	}
}

// vaultActionNames: "path key | NAME" exports NAME; without a name the
// key, upper-cased, is the environment variable and the key the output.
func vaultActionNames(target, name string) []string {
	if name != "" {
		return []string{name}
	}
	_, key, _ := strings.Cut(target, "#")
	return []string{envName(key), key}
}

// awsSecretNames: "ALIAS,secret-id" exports ALIAS; without an alias the
// secret's name (from an ARN without its random suffix), upper-cased. A
// prefix with * exports names nobody can tell from the file.
func awsSecretNames(target, alias string) []string {
	if alias != "" {
		return []string{alias}
	}
	if strings.Contains(target, "*") {
		return nil
	}
	if _, name, ok := strings.Cut(target, ":secret:"); ok {
		target = arnSuffix.ReplaceAllString(name, "")
	}
	return []string{envName(target)}
}

var arnSuffix = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)

// envName is how actions turn a secret's name into a variable name.
func envName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// oidcInputs are the inputs of cloud login actions that take a
// long-lived credential where an OIDC federation input would do.
var oidcInputs = map[string][]string{
	"aws-actions/configure-aws-credentials": {"aws-access-key-id", "aws-secret-access-key"},
	"google-github-actions/auth":            {"credentials_json"},
	"azure/login":                           {"creds"},
}

// oidcAlternative says, per login action, what replaces the static key.
var oidcAlternative = map[string]string{
	"aws-actions/configure-aws-credentials": "aws-actions/configure-aws-credentials with role-to-assume",
	"google-github-actions/auth":            "google-github-actions/auth with workload_identity_provider",
	"azure/login":                           "azure/login with client-id, tenant-id and subscription-id (a federated credential)",
}

var staticAWSEnv = regexp.MustCompile(`(?:^|\.)env\.AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY)$`)

// OIDCNote starts the evidence an NHI7 federation hint adds.
const OIDCNote = "NHI7: a long-lived cloud key in a workflow without permissions id-token: write"

// oidcHint marks the findings of a static cloud key in a workflow (not a
// composite action: the calling workflow decides its permissions) whose
// job cannot request an OIDC token as long-lived (NHI7).
func (s *pipelineScan) oidcHint(l Leaf, action string) {
	if !strings.Contains("/"+pathOf(s.ch), "/.github/workflows/") || s.idTokenWrite(jobOf(l.Path)) {
		return
	}
	note := OIDCNote + "; OIDC federation (" + oidcAlternative[action] + ", and permissions id-token: write) would remove the long-lived key"
	for i := range s.out {
		f := &s.out[i]
		if o := s.rel(*f); o < l.Start || o >= max(l.End, l.Start+1) || slices.Contains(f.OwnNHI, NHI7) {
			continue
		}
		f.OwnNHI = append(f.OwnNHI, NHI7)
		f.Evidence += "; " + note
	}
}

// jobOf returns "jobs.NAME" for a path inside a job, else "".
func jobOf(path string) string {
	if !strings.HasPrefix(path, "jobs.") {
		return ""
	}
	name, _, _ := strings.Cut(path[len("jobs."):], ".")
	return "jobs." + name
}

// idTokenWrite reports whether a job may request an OIDC token: its own
// permissions when it has any (they replace the workflow's), else the
// workflow's.
func (s *pipelineScan) idTokenWrite(job string) bool {
	if job != "" {
		if ok, set := s.permits(job + ".permissions"); set {
			return ok
		}
	}
	ok, _ := s.permits("permissions")
	return ok
}

func (s *pipelineScan) permits(prefix string) (ok, set bool) {
	if l, found := s.leaf(prefix); found {
		return l.Value == "write-all", true
	}
	if l, found := s.leaf(prefix + ".id-token"); found {
		return l.Value == "write", true
	}
	for _, l := range s.leaves {
		if strings.HasPrefix(l.Path, prefix+".") {
			return false, true
		}
	}
	return false, false
}
