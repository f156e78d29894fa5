package classify

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// CI platforms whose variables are read through their APIs (the
// CIOrigin platform names of pkg/sources/gitlab and pkg/sources/github).
const (
	platformGitLab = "gitlab"
	platformGitHub = "github"
)

// Reference patterns a name-only CI secret is reported under: the same
// ones that a workflow's ${{ secrets.X }} or a .gitlab-ci.yml's $X match,
// so reports and the inventory treat both alike.
const (
	githubSecretPattern   = "github-actions-secret"
	gitlabVariablePattern = "gitlab-ci-variable"
)

// ciVariable classifies one CI variable read through a platform's API.
// The variable's settings decide the class of a credential in its value:
// a GitHub Actions variable is plain configuration (unmanaged); a GitLab
// variable is in GitLab's store, externalized when masked or hidden and
// unmanaged when its value is printed in job logs. A secret whose value
// the platform does not return enters the inventory by name.
func (c *Classifier) ciVariable(ch sources.Chunk, found []detect.Finding) ChunkResult {
	ci := ch.Origin.CI
	if ci.NameOnly {
		return ChunkResult{Findings: c.ciSecretName(ch)}
	}
	format := Format("")
	var leaves []Leaf
	lines := newLineIndex(ch.Data)
	if ci.VariableType == "file" {
		// A file variable's content is a file: a kubeconfig, a .env.
		if format = sniffFormat(ch.Data); format != "" {
			leaves, _ = extract(format, ch.Data, lines)
		}
	}
	var out []Finding
	for _, f := range found {
		j := c.judge(ch, f, leaves, nil, format)
		if j.Key == "" {
			j.Key = ci.Variable
		}
		out = append(out, j)
	}
	if format != "" {
		out = append(out, c.literals(ch, found, leaves, nil, lines, format)...)
	} else if ref := c.gitlabExpanded(ch); ref != nil {
		out = append(out, *ref)
	} else if len(found) == 0 {
		out = append(out, c.ciWholeValue(ch, lines)...)
	}
	for i := range out {
		ciJudge(&out[i], ci)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	return ChunkResult{Findings: out}
}

// ciWholeValue reports a variable's whole value when no rule knows its
// format but the variable is a secret by its name, or by its settings (a
// masked GitLab variable: its owner declared it secret).
func (c *Classifier) ciWholeValue(ch sources.Chunk, lines *lineIndex) []Finding {
	ci := ch.Origin.CI
	if ch.StartOffset != 0 {
		return nil // a later piece of a long value: not one literal
	}
	value := string(bytes.TrimSpace(ch.Data))
	declared := ci.Platform == platformGitLab && (ci.Masked || ci.Hidden)
	if !(c.set.Keys.SecretNamed(ci.Variable) || declared) || !c.set.Keys.Literal(value) {
		return nil
	}
	if inlineAllowed(ch.Data) || (c.opts.Recognised != nil && c.opts.Recognised(ch.Data)) {
		return nil
	}
	if c.opts.SkipLiteral != nil && c.opts.SkipLiteral(c.set.LiteralRule.ID, value) {
		return nil
	}
	start := bytes.Index(ch.Data, []byte(value))
	f := located(ch, c.set.LiteralRule, value, value, start, start+len(value), lines)
	f.Entropy = detect.ShannonEntropy(value)
	return []Finding{{Finding: f, Class: Unmanaged, NHI: []string{NHI2}, Key: ci.Variable}}
}

// gitlabVariableValue is a value that only names another variable.
var gitlabVariableValue = regexp.MustCompile(`^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$`)

// gitlabExpanded returns a reference occurrence for a GitLab variable
// whose whole value is another variable ($PROD_DB_PASSWORD): unless the
// variable is raw, GitLab expands it when a job runs, so it holds no
// value of its own but points at the other one. A raw variable's "$X"
// is literal text and is left to the literal checks.
func (c *Classifier) gitlabExpanded(ch sources.Chunk) *Finding {
	ci := ch.Origin.CI
	if ci.Platform != platformGitLab || ci.Raw || ch.StartOffset != 0 {
		return nil
	}
	m := gitlabVariableValue.FindSubmatch(bytes.TrimSpace(ch.Data))
	p := c.set.pattern(gitlabVariablePattern)
	if m == nil || p == nil {
		return nil
	}
	target := string(m[1]) + string(m[2])
	start := bytes.IndexByte(ch.Data, '$')
	end := start + len(bytes.TrimSpace(ch.Data))
	f := located(ch, p.Rule(), "", string(ch.Data[start:end]), start, end, newLineIndex(ch.Data))
	return &Finding{
		Finding: f,
		Class:   Externalized,
		Evidence: fmt.Sprintf("GitLab CI/CD variable %s (%s) is expanded (not raw) and only names variable %s, which GitLab substitutes when a job runs",
			ci.Variable, ciPlace(ci), target) + gitlabExposure(ci),
		Key:       ci.Variable,
		Reference: &Reference{Pattern: p.ID, Provider: p.Provider, Target: target},
	}
}

// ciJudge sets the class and evidence of a credential found in a CI
// variable's value from the variable's settings. Ciphertext (sops in a
// file variable) stays managed.
func ciJudge(f *Finding, ci *sources.CIOrigin) {
	if f.Class != Unmanaged || f.Reference != nil {
		return
	}
	where := ciPlace(ci)
	switch ci.Platform {
	case platformGitHub:
		f.Evidence = fmt.Sprintf("value of GitHub Actions variable %s (%s): variables are plain configuration, not a secret store — their values are returned by the API, shown in the settings and printed in clear in logs", ci.Variable, where)
	case platformGitLab:
		if ci.Masked || ci.Hidden {
			f.Class, f.NHI = Externalized, nil
			f.Evidence = fmt.Sprintf("value of masked GitLab CI/CD variable %s (%s): kept in GitLab's variable store and hidden in job logs, but nobody owns its rotation", ci.Variable, where) + gitlabExposure(ci)
			return
		}
		f.Evidence = fmt.Sprintf("value of GitLab CI/CD variable %s (%s), which is not masked: it is printed in clear in any job log that echoes it", ci.Variable, where) + gitlabExposure(ci)
	default:
		f.Evidence = fmt.Sprintf("value of %s CI variable %s (%s)", ci.Platform, ci.Variable, where)
	}
	f.Class, f.NHI = Unmanaged, []string{NHI2}
}

// gitlabExposure says who can read a GitLab variable.
func gitlabExposure(ci *sources.CIOrigin) string {
	if ci.Protected {
		return "; protected: only pipelines on protected branches and tags receive it"
	}
	return "; not protected: a pipeline on any branch receives it, so anyone who can push a branch can read it"
}

// ciPlace names where a variable is defined, for evidence.
func ciPlace(ci *sources.CIOrigin) string {
	s := ci.Scope
	if ci.Level != "" && ci.Level != ci.Scope {
		s = ci.Level + " " + ci.Scope
	}
	if ci.Environment != "" {
		s += ", environment " + ci.Environment
	}
	return s
}

// ciSecretName turns a secret whose value the platform keeps to itself
// into a reference occurrence: an inventory entry for an externalized
// credential, named and located but without a value.
func (c *Classifier) ciSecretName(ch sources.Chunk) []Finding {
	ci := ch.Origin.CI
	id, evidence := githubSecretPattern, ""
	switch ci.Platform {
	case platformGitHub:
		evidence = fmt.Sprintf("GitHub Actions secret %s (%s): the value is kept in GitHub's secret store and never returned by the API, but nobody owns its rotation", ci.Variable, ciPlace(ci))
		switch ci.Visibility {
		case "all":
			evidence += "; every repository of the organisation can use it"
		case "private":
			evidence += "; every private repository of the organisation can use it"
		}
	case platformGitLab:
		id = gitlabVariablePattern
		evidence = fmt.Sprintf("hidden GitLab CI/CD variable %s (%s): kept in GitLab's variable store, its value is never shown again, but nobody owns its rotation", ci.Variable, ciPlace(ci)) + gitlabExposure(ci)
	default:
		return nil
	}
	p := c.set.pattern(id)
	if p == nil {
		return nil
	}
	f := located(ch, p.Rule(), "", "", 0, 0, newLineIndex(ch.Data))
	return []Finding{{
		Finding:   f,
		Class:     Externalized,
		Evidence:  evidence,
		Key:       ci.Variable,
		Reference: &Reference{Pattern: p.ID, Provider: p.Provider, Target: ci.Variable},
	}}
}

// pattern returns the reference pattern with this id, or nil.
func (s *Set) pattern(id string) *Pattern {
	for _, p := range s.Patterns {
		if p.ID == id {
			return p
		}
	}
	return nil
}

var (
	dotenvFirst = regexp.MustCompile(`^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=`)
	iniFirst    = regexp.MustCompile(`^\[[^\]]+\]$`)
	yamlFirst   = regexp.MustCompile(`^(?:-\s+)?["']?[\w.-]+["']?\s*:(?:\s|$)|^---`)
)

// sniffFormat guesses a file variable's format from its first meaningful
// line: a variable has no file name to go by.
func sniffFormat(data []byte) Format {
	t := bytes.TrimSpace(data)
	if len(t) == 0 {
		return ""
	}
	if t[0] == '{' {
		return FormatJSON
	}
	for _, line := range strings.Split(string(t), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		switch {
		case dotenvFirst.MatchString(line):
			return FormatDotenv
		case iniFirst.MatchString(line):
			return FormatINI
		case yamlFirst.MatchString(line):
			return FormatYAML
		}
		return ""
	}
	return ""
}
