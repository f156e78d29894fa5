package classify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/sprawl-sec/sprawl/pkg/detect"
)

// Pattern is one reference form, loaded from rules/references/*.yaml: a
// way of naming a secret that is kept somewhere else (a secrets manager, a
// CI secret store, the environment) instead of writing its value.
type Pattern struct {
	ID       string `yaml:"id" json:"id"`
	Title    string `yaml:"title" json:"title"`
	Provider string `yaml:"provider" json:"provider"`
	// Class is what a value written in this form is: managed,
	// externalized, or unmanaged (a plain configuration store that is not
	// meant for secrets, such as GitHub Actions vars).
	Class Class `yaml:"class" json:"class"`
	// Evidence is the sentence a report shows for why the class holds.
	Evidence string `yaml:"evidence" json:"evidence"`
	// On says what the pattern reads: "text" (the raw chunk, the default)
	// or "structure" (one "dotted.key.path: value" line per scalar of a
	// parsed YAML or JSON document, for forms that span lines), or
	// "pipeline" (run only by the CI pipeline readers, on the values
	// their structure selects: a vault-action secrets: line means nothing
	// outside that step, so the generic matcher never runs it).
	On       string   `yaml:"on,omitempty" json:"on,omitempty"`
	Keywords []string `yaml:"keywords" json:"keywords"`
	// Pattern is RE2. The group "target" (else group 1, else the whole
	// match) names the referenced secret; it is a name or an address,
	// never a value.
	Pattern string `yaml:"pattern" json:"pattern"`
	// Paths limits the pattern to files matching one of these doublestar
	// globs (e.g. GitLab's $VAR only means a CI variable in .gitlab-ci.yml).
	Paths []string `yaml:"paths,omitempty" json:"paths,omitempty"`
	// SecretName "required" means the form is generic (an environment
	// lookup) and only counts when the target or its key is secret-named.
	SecretName string `yaml:"secret-name,omitempty" json:"secret-name,omitempty"`
	// Global says the target names one secret everywhere (an ARN, a GCP
	// project path, a Key Vault URL), so occurrences in different
	// repositories are the same credential.
	Global bool `yaml:"global,omitempty" json:"global,omitempty"`
	// Covers says the matched span is ciphertext (sops ENC[...], sealed
	// secrets): a detector hit inside it is not a literal secret.
	Covers bool `yaml:"covers,omitempty" json:"covers,omitempty"`
	// Kind is "reference" (the default: the form names a secret kept
	// elsewhere) or "leak" (the form spills a secret, such as an echo of
	// it into a CI log): it decides how reports title the form.
	Kind string `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Priority breaks ties between overlapping matches; higher wins.
	Priority int `yaml:"priority,omitempty" json:"priority,omitempty"`
	// Allow lists regexes; a target matching one is not this reference.
	Allow []string `yaml:"allow,omitempty" json:"allow,omitempty"`
	// Severity and Remediation override the defaults the class implies
	// (a secret echoed into a CI log is a leak with its own fix).
	Severity    string `yaml:"severity,omitempty" json:"severity,omitempty"`
	Remediation string `yaml:"remediation,omitempty" json:"remediation,omitempty"`

	ExamplePath     string   `yaml:"example-path,omitempty" json:"-"`
	Examples        []string `yaml:"examples" json:"-"`
	CounterExamples []string `yaml:"counter-examples" json:"-"`

	re          *regexp.Regexp
	globs       []pathGlob // Paths, sorted out by what they look at
	targetGroup int
	// byteKeys are the one-byte keywords, which the automaton leaves out
	// and byteKeywordIn looks for; most patterns have none.
	byteKeys []byte
	allow    []*regexp.Regexp
	rule     *detect.Rule
}

// Rule returns the report metadata of the pattern: a detect.Rule that is
// never run, so that every writer can treat a reference like a finding.
func (p *Pattern) Rule() *detect.Rule { return p.rule }

func (p *Pattern) compile() error {
	if p.ID == "" || p.Title == "" || p.Provider == "" {
		return fmt.Errorf("reference %q needs an id, a title and a provider", p.ID)
	}
	switch p.Class {
	case Managed, Externalized, Unmanaged:
	default:
		return fmt.Errorf("reference %s: class must be managed, externalized or unmanaged, not %q", p.ID, p.Class)
	}
	p.globs = compileGlobs(p.Paths)
	p.byteKeys = p.byteKeys[:0]
	for _, k := range p.Keywords {
		if len(k) == 1 {
			p.byteKeys = append(p.byteKeys, k[0])
		}
	}
	switch p.On {
	case "":
		p.On = "text"
	case "text", "structure", "pipeline":
	default:
		return fmt.Errorf("reference %s: on must be text, structure or pipeline, not %q", p.ID, p.On)
	}
	switch p.SecretName {
	case "", "required":
	default:
		return fmt.Errorf("reference %s: secret-name must be empty or required", p.ID)
	}
	if len(p.Keywords) == 0 {
		return fmt.Errorf("reference %s: no keywords", p.ID)
	}
	if p.Evidence == "" {
		return fmt.Errorf("reference %s: no evidence text", p.ID)
	}
	re, err := regexp.Compile(p.Pattern)
	if err != nil {
		return fmt.Errorf("reference %s: pattern: %w", p.ID, err)
	}
	p.re = re
	p.targetGroup = 0
	if i := re.SubexpIndex("target"); i > 0 {
		p.targetGroup = i
	} else if re.NumSubexp() > 0 {
		p.targetGroup = 1
	}
	for _, g := range p.Paths {
		if !doublestar.ValidatePattern(g) {
			return fmt.Errorf("reference %s: bad path glob %q", p.ID, g)
		}
	}
	p.allow = nil
	for _, a := range p.Allow {
		are, err := regexp.Compile(a)
		if err != nil {
			return fmt.Errorf("reference %s: allow %q: %w", p.ID, a, err)
		}
		p.allow = append(p.allow, are)
	}
	severity := detect.SeverityLow
	if p.Class == Unmanaged {
		severity = detect.SeverityHigh
	}
	switch p.Severity {
	case "":
	case detect.SeverityCritical, detect.SeverityHigh, detect.SeverityMedium, detect.SeverityLow:
		severity = p.Severity
	default:
		return fmt.Errorf("reference %s: unknown severity %q", p.ID, p.Severity)
	}
	remediation := p.Remediation
	if remediation == "" {
		remediation = remediationFor(p.Class)
	}
	title := p.Title + " reference"
	switch p.Kind {
	case "", "reference":
		p.Kind = "reference"
	case "leak":
		title = p.Title
	default:
		return fmt.Errorf("reference %s: kind must be reference or leak, not %q", p.ID, p.Kind)
	}
	p.rule = &detect.Rule{
		ID:          "ref-" + p.ID,
		Title:       title,
		Provider:    p.Provider,
		Severity:    severity,
		Description: ensureDot(title + " (" + string(p.Class) + "): " + p.Evidence),
		Remediation: remediation,
		Tags:        []string{p.Kind, string(p.Class)},
	}
	return nil
}

func remediationFor(c Class) string {
	switch c {
	case Managed:
		return "Nothing to fix: the value is kept in a secrets manager. Listed so the report is a complete inventory."
	case Externalized:
		return "The value lives in a CI secret store or the environment; move it to a secrets manager that owns rotation, ownership and revocation."
	}
	return "This store is plain configuration, readable and logged in clear: move the value to a secret store and rotate it."
}

// pathGlob is one of Paths. Most name a file whatever its folder
// ("**/*.sh") or at the top ("Makefile"): those are matched against the
// file's name alone, which is much cheaper than matching "**/" against
// every folder of a long path, for every chunk of a git history.
type pathGlob struct {
	glob string
	kind globKind
}

type globKind uint8

const (
	globPath    globKind = iota // anything else: matched against the whole path
	globAnyName                 // "**/" + a name pattern: the name, at any depth
	globTopName                 // a name pattern without "/": the name, at the top
)

func compileGlobs(paths []string) []pathGlob {
	out := make([]pathGlob, 0, len(paths))
	for _, g := range paths {
		rest, any := strings.CutPrefix(g, "**/")
		switch {
		case any && !strings.Contains(rest, "/") && !strings.Contains(rest, "**"):
			out = append(out, pathGlob{rest, globAnyName})
		case !strings.Contains(g, "/") && !strings.Contains(g, "**"):
			out = append(out, pathGlob{g, globTopName})
		default:
			out = append(out, pathGlob{g, globPath})
		}
	}
	return out
}

// appliesTo reports whether the pattern may match in a file at p.
func (p *Pattern) appliesTo(filePath string) bool {
	if p.On == "pipeline" {
		return false // the pipeline readers run it where it applies
	}
	if len(p.Paths) == 0 {
		return true
	}
	globs := p.globs
	if len(globs) != len(p.Paths) { // a Pattern built without compile
		globs = compileGlobs(p.Paths)
	}
	name := filePath[strings.LastIndexByte(filePath, '/')+1:]
	for _, g := range globs {
		var ok bool
		switch g.kind {
		case globAnyName:
			ok = matchGlob(g.glob, name)
		case globTopName:
			ok = len(name) == len(filePath) && matchGlob(g.glob, name)
		default:
			ok = matchGlob(g.glob, filePath)
		}
		if ok {
			return true
		}
	}
	return false
}

// matchGlob matches a glob validated when its pattern was compiled.
func matchGlob(glob, p string) bool {
	return doublestar.MatchUnvalidated(glob, p)
}

// byteKeywordIn reports whether one of the pattern's one-byte keywords,
// which the automaton leaves out, occurs in data.
func (p *Pattern) byteKeywordIn(data []byte) bool {
	for _, b := range p.byteKeys {
		if bytes.IndexByte(data, b) >= 0 {
			return true
		}
	}
	return false
}

// bytePositionsIn returns, in order, the offsets of the pattern's
// one-byte keywords in data merged with hits, the offsets of its others.
func (p *Pattern) bytePositionsIn(data []byte, hits []int) []int {
	at := slices.Clone(hits)
	for _, b := range p.byteKeys {
		for i := 0; ; i++ {
			j := bytes.IndexByte(data[i:], b)
			if j < 0 {
				break
			}
			i += j
			at = append(at, i)
		}
	}
	slices.Sort(at)
	return at
}

func (p *Pattern) allowed(target string) bool {
	for _, a := range p.allow {
		if a.MatchString(target) {
			return true
		}
	}
	return false
}

// refFile is the shape of one YAML file in rules/references/.
type refFile struct {
	References []*Pattern   `yaml:"references" json:"references"`
	SecretKeys *KeyPolicy   `yaml:"secret-keys" json:"secret-keys"`
	Literal    *detect.Rule `yaml:"literal-rule" json:"literal-rule"`
}

// Set is the loaded reference data: patterns, the secret-key policy and
// the rule under which a literal of a secret-named key is reported.
type Set struct {
	Patterns []*Pattern
	Keys     *KeyPolicy
	// LiteralRule is the report metadata of a literal value under a
	// secret-named key that no detection rule recognised.
	LiteralRule *detect.Rule
}

// LoadReferences reads every *.yaml file of fsys (the embedded
// rules/references folder).
func LoadReferences(fsys fs.FS) (*Set, error) {
	set := &Set{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".yaml" {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var f refFile
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		if err := set.add(&f); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return set, set.finish()
}

// LoadReferencesSnapshot reads the reference data as scans load it: the
// YAML files' content without their examples, as JSON made by
// MarshalReferences (rules/references.json, written by go generate
// ./rules). Decoding it takes a fraction of parsing the YAML, which was
// the longest step of a scan's start.
func LoadReferencesSnapshot(data []byte) (*Set, error) {
	var f refFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("references snapshot: %w", err)
	}
	set := &Set{}
	if err := set.add(&f); err != nil {
		return nil, fmt.Errorf("references snapshot: %w", err)
	}
	if err := set.finish(); err != nil {
		return nil, fmt.Errorf("references snapshot: %w", err)
	}
	return set, nil
}

// MarshalReferences writes a Set as LoadReferencesSnapshot reads it.
func MarshalReferences(set *Set) ([]byte, error) {
	data, err := json.MarshalIndent(refFile{References: set.Patterns, SecretKeys: set.Keys, Literal: set.LiteralRule}, "", " ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// add compiles one file's content into the set.
func (set *Set) add(f *refFile) error {
	for i, pat := range f.References {
		if pat == nil {
			return fmt.Errorf("reference %d is empty", i+1)
		}
		if err := pat.compile(); err != nil {
			return err
		}
	}
	set.Patterns = append(set.Patterns, f.References...)
	if f.SecretKeys != nil {
		if set.Keys != nil {
			return fmt.Errorf("secret-keys defined twice")
		}
		if err := f.SecretKeys.compile(); err != nil {
			return err
		}
		set.Keys = f.SecretKeys
	}
	if f.Literal != nil {
		set.LiteralRule = f.Literal
	}
	return nil
}

// finish checks the whole set and orders its patterns.
func (set *Set) finish() error {
	if set.Keys == nil || set.LiteralRule == nil {
		return fmt.Errorf("reference data needs secret-keys and literal-rule")
	}
	if set.LiteralRule.ID != LiteralRuleID {
		return fmt.Errorf("literal-rule id is %q, the code knows it as %q", set.LiteralRule.ID, LiteralRuleID)
	}
	seen := map[string]bool{}
	for _, p := range set.Patterns {
		if seen[p.ID] {
			return fmt.Errorf("duplicate reference id %q", p.ID)
		}
		seen[p.ID] = true
	}
	sort.SliceStable(set.Patterns, func(i, j int) bool { return set.Patterns[i].ID < set.Patterns[j].ID })
	return nil
}

func ensureDot(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// LiteralRuleID is the id of findings made by the literal fallback for
// secret-named keys; a config file may disable it like a rule.
const LiteralRuleID = "secret-key-literal"
