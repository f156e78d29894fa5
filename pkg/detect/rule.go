// Package detect holds the rule set and the matching engine: a keyword
// prefilter picks the rules worth a regex, and entropy, validators and
// allowlists run only on regex hits. It does no I/O on sources and prints
// nothing.
package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Severity levels, highest first.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
)

// Rule is one kind of credential, loaded from YAML in rules/.
type Rule struct {
	ID          string `yaml:"id" json:"id,omitempty"`
	Title       string `yaml:"title" json:"title,omitempty"`
	Provider    string `yaml:"provider" json:"provider,omitempty"`
	Severity    string `yaml:"severity" json:"severity,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Remediation string `yaml:"remediation,omitempty" json:"remediation,omitempty"`
	// Keywords are matched case-insensitively in one pass over the chunk;
	// a rule's regex runs only near one of its keywords.
	Keywords []string `yaml:"keywords" json:"keywords,omitempty"`
	// Pattern is an RE2 regular expression. The secret is the group named
	// "secret", else group 1, else the whole match.
	Pattern string `yaml:"pattern" json:"pattern,omitempty"`
	// MinEntropy is the Shannon entropy (bits per byte) the secret must
	// reach; 0 disables the check.
	MinEntropy float64 `yaml:"min-entropy,omitempty" json:"min-entropy,omitempty"`
	// Validate names a structural check implemented in validate.go.
	Validate string `yaml:"validate,omitempty" json:"validate,omitempty"`
	// Window is how many bytes after a keyword the regex may reach, for
	// patterns that span lines (PEM blocks). 0 means the keyword's line.
	Window int `yaml:"window,omitempty" json:"window,omitempty"`
	// FollowedBy, when set, is a cheap check before the regex: after the
	// keyword, past identifier characters, quotes and blanks (at most 64
	// bytes), the next byte must be one of these (e.g. "=:>,(" for an
	// assignment). It keeps prose like "the token passed" from costing a
	// regex run in fallback rules keyed on common words.
	FollowedBy string `yaml:"followed-by,omitempty" json:"followed-by,omitempty"`
	// Requires, when set, is another cheap check before the regex: the
	// window around the keyword must also contain one of these words
	// (ASCII case ignored). It is for rules keyed on a common word whose
	// every match also holds a rarer one ("default" in C code, a netrc
	// entry's "password"; "://" and a URL's "@"). Examples must hold one.
	Requires []string `yaml:"requires,omitempty" json:"requires,omitempty"`
	// Allow lists regexes; a secret matching one is not a finding.
	Allow []string `yaml:"allow,omitempty" json:"allow,omitempty"`
	// AllowMatch lists regexes checked against the whole match (key name
	// and all); a match matching one is not a finding.
	AllowMatch []string `yaml:"allow-match,omitempty" json:"allow-match,omitempty"`
	// OpenPattern is Pattern with its long counted repeats opened (see
	// openRepeats), worked out by go generate for the built-in rules'
	// snapshot; empty when there are none. It is not read from YAML.
	OpenPattern string `yaml:"-" json:"open-pattern,omitempty"`
	// TailPattern is tailOf's pattern for the built-in rules, worked
	// out by go generate like OpenPattern and for the same reason; empty
	// when the rule has none. It is not read from YAML.
	TailPattern string `yaml:"-" json:"tail-pattern,omitempty"`
	// Tags are free-form labels carried to SARIF.
	Tags []string `yaml:"tags,omitempty" json:"tags,omitempty"`

	Examples        []string `yaml:"examples" json:"-"`
	CounterExamples []string `yaml:"counter-examples" json:"-"`

	// compiled holds the rule's regexes, built on first use: a scan meets
	// few of the rules, and compiling all of them is most of start-up.
	compiled  *compiledRule
	validator Validator
	// fromSnapshot marks a rule loaded from the snapshot, whose
	// OpenPattern and TailPattern go generate worked out.
	fromSnapshot bool
	// silencer marks a rule the config disabled: it still runs so that
	// fallback rules do not report its secrets under another name, but
	// its own matches are never reported.
	silencer bool
}

// compiledRule is what Compile builds from a rule's patterns. The pattern
// is compiled when a keyword first selects the rule, and the allow lists
// only when its pattern first matches: on a checkout most selected rules
// never match, and compiling their allow lists up front was about 3% of a
// dir scan's CPU.
type compiledRule struct {
	once sync.Once // build: the checks below
	err  error
	// open is the pattern with its long counted repeats opened (see
	// openRepeats), "" when it has none.
	open string
	// re is open, or the pattern as written, compiled by regex; matches
	// reads it.
	reOnce sync.Once
	re     *regexp.Regexp
	groups groups
	// written is the pattern as written, compiled for the rare window
	// where an opened repeat went past its bound.
	writtenOnce sync.Once
	written     *written
	// required holds strings one of which every match contains (see
	// required); nil when there is nothing worth checking.
	required []string
	// tail is tailOf's pattern, checked on a window before the whole
	// pattern; nil when the rule has none.
	tail *regexp.Regexp
	// run is the run of bytes every secret of the pattern is (see
	// secretRun); nil when it is not worth checking.
	run *secretRun

	allowOnce  sync.Once
	allowErr   error
	allow      []*regexp.Regexp
	allowMatch []*regexp.Regexp
}

// Compile checks the rule and compiles its regexes now.
func (r *Rule) Compile() error {
	if err := r.check(); err != nil {
		return err
	}
	if err := r.regexps().err; err != nil {
		return err
	}
	r.compiled.regex(r)
	return r.allowRegexps().allowErr
}

// regexps compiles the rule's pattern once and returns it.
func (r *Rule) regexps() *compiledRule {
	c := r.compiled
	c.once.Do(func() { c.err = c.build(r) })
	return c
}

// allowRegexps compiles the rule's allow lists once and returns them.
func (r *Rule) allowRegexps() *compiledRule {
	c := r.compiled
	c.allowOnce.Do(func() { c.allowErr = c.buildAllow(r) })
	return c
}

func (c *compiledRule) build(r *Rule) error {
	// One parse serves the cheap checks (required, tailOf,
	// secretRun) and the opened pattern: rules are built on a scan's
	// path, the first time a keyword finds them.
	tree, err := syntax.Parse(r.Pattern, syntax.Perl)
	if err != nil {
		return fmt.Errorf("rule %s: pattern: %w", r.ID, err)
	}
	if set := required(tree); !impliedByKeywords(set, r.Keywords) {
		c.required = set
	}
	c.run = secretRunOf(tree)
	tail, open := r.TailPattern, r.OpenPattern
	if !r.fromSnapshot {
		tail, open = rewrites(r.Pattern, tree) // a rule of the config's: worked out here
	}
	if tail != "" {
		c.tail, _ = regexp.Compile(tail) // a part of a valid pattern compiles
	}
	c.open = open
	return nil
}

// rewrites works out the two patterns derived from a rule's pattern: its
// secret tail (tailOf) and its long counted repeats opened (openRepeats),
// "" where there is none. go generate stores both in the rules snapshot:
// printing a parsed pattern is slow where a case-insensitive pattern has
// a negated class (regexp/syntax checks every character of the class for
// case variants), up to 6 ms a rule, too much for a rule's first use in
// a scan. openRepeats rewrites tree, so the caller is done with it.
func rewrites(pattern string, tree *syntax.Regexp) (tail, open string) {
	tail = tailOf(tree)
	if !strings.Contains(pattern, boundGroupPrefix) {
		open = openRepeats(tree)
	}
	return tail, open
}

// regex compiles the rule's regex, once, when a window first passes the
// cheap checks: on curl's checkout 69 rules have a keyword hit and 24 a
// window that passes, and compiling is a good part of a rule's first use.
func (c *compiledRule) regex(r *Rule) *compiledRule {
	c.reOnce.Do(func() {
		if c.open != "" {
			if re, err := regexp.Compile(c.open); err == nil {
				c.re, c.groups = re, groupsOf(re)
				return
			}
		}
		re := regexp.MustCompile(r.Pattern) // it parsed in build
		c.re, c.groups = re, groupsOf(re)
	})
	return c
}

func (c *compiledRule) buildAllow(r *Rule) error {
	var err error
	if c.allow, err = compileAll(r.ID, "allow", r.Allow); err != nil {
		return err
	}
	if c.allowMatch, err = compileAll(r.ID, "allow-match", r.AllowMatch); err != nil {
		return err
	}
	return nil
}

// check validates everything but the regexes, and prepares lazy
// compilation.
func (r *Rule) check() error {
	if r.ID == "" {
		return fmt.Errorf("rule without id")
	}
	if r.Pattern == "" {
		return fmt.Errorf("rule %s: empty pattern", r.ID)
	}
	if len(r.Keywords) == 0 {
		return fmt.Errorf("rule %s: no keywords (every rule needs one for the prefilter)", r.ID)
	}
	for _, k := range r.Keywords {
		if len(k) < 2 {
			return fmt.Errorf("rule %s: keyword %q is too short", r.ID, k)
		}
	}
	for _, w := range r.Requires {
		if w == "" {
			return fmt.Errorf("rule %s: empty word in requires", r.ID)
		}
	}
	switch r.Severity {
	case SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow:
	case "":
		r.Severity = SeverityHigh
	default:
		return fmt.Errorf("rule %s: unknown severity %q", r.ID, r.Severity)
	}
	if r.compiled == nil {
		r.compiled = &compiledRule{}
	}
	if r.Validate != "" {
		v, ok := validators[r.Validate]
		if !ok {
			return fmt.Errorf("rule %s: unknown validator %q", r.ID, r.Validate)
		}
		r.validator = v
	}
	return nil
}

func compileAll(id, field string, patterns []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %s %q: %w", id, field, p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// ruleFile is the shape of one YAML file in rules/: a list of rules.
type ruleFile struct {
	Rules []*Rule `yaml:"rules"`
}

// ParseRules reads rules from one YAML document and compiles them.
func ParseRules(data []byte, name string) ([]*Rule, error) {
	return parseRules(data, name, true)
}

// parseRules reads rules; with eager false their regexes are compiled on
// first use (the embedded set, whose patterns the rule tests compile).
func parseRules(data []byte, name string, eager bool) ([]*Rule, error) {
	var f ruleFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	for i, r := range f.Rules {
		if r == nil {
			return nil, fmt.Errorf("%s: rule %d is empty", name, i+1)
		}
		check := r.check
		if eager {
			check = r.Compile
		}
		if err := check(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return f.Rules, nil
}

// LoadRulesSnapshot reads the rule set from its JSON snapshot (rules/
// snapshot.json, made from the YAML files by go generate): the same
// rules, without their examples, which only tests need. Decoding JSON
// takes a few milliseconds where parsing the YAML took tens, at the start
// of every scan; TestRuleSnapshotIsCurrent keeps the two the same.
func LoadRulesSnapshot(data []byte) ([]*Rule, error) {
	var all []*Rule
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("rules snapshot: %w", err)
	}
	for i, r := range all {
		if r == nil {
			return nil, fmt.Errorf("rules snapshot: rule %d is empty", i+1)
		}
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("rules snapshot: %w", err)
		}
		r.fromSnapshot = true
	}
	if err := uniqueIDs(all); err != nil {
		return nil, fmt.Errorf("rules snapshot: %w", err)
	}
	return all, nil
}

// uniqueIDs refuses a rule set in which two rules share an id.
func uniqueIDs(all []*Rule) error {
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.ID] {
			return fmt.Errorf("duplicate rule id %q", r.ID)
		}
		seen[r.ID] = true
	}
	return nil
}

// MarshalSnapshot writes rules as the snapshot LoadRulesSnapshot reads:
// a JSON array with one rule per line, so that a change to one rule is a
// one-line change to the file.
func MarshalSnapshot(all []*Rule) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, r := range all {
		tree, err := syntax.Parse(r.Pattern, syntax.Perl)
		if err != nil {
			return nil, fmt.Errorf("rule %s: pattern: %w", r.ID, err)
		}
		withRewrites := *r
		withRewrites.TailPattern, withRewrites.OpenPattern = rewrites(r.Pattern, tree)
		line, err := json.Marshal(&withRewrites)
		if err != nil {
			return nil, err
		}
		b.Write(line)
		if i < len(all)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}

// LoadRules reads every *.yaml file of a file system (the embedded rules/
// folder), checks that ids are unique and returns the rules sorted by id.
// Scans load the snapshot instead (LoadRulesSnapshot); this is for tests,
// the snapshot generator and rule authors, so every broken file is named
// at once rather than the first.
func LoadRules(fsys fs.FS) ([]*Rule, error) {
	var all []*Rule
	var errs []error
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".yaml" {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err == nil {
			var rules []*Rule
			if rules, err = parseRules(data, p, false); err == nil {
				all = append(all, rules...)
			}
		}
		errs = append(errs, err)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := uniqueIDs(all); err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}
