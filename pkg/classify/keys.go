package classify

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/sprawl-sec/sprawl/pkg/detect"
)

// KeyPolicy says which keys name a secret and which values under such a
// key are literals worth reporting. It is data (rules/references/keys.yaml)
// so that tuning it is a reviewed change with examples, like a rule.
type KeyPolicy struct {
	// Names matches a secret-named key after normalisation (camelCase and
	// separators become snake_case, lower case, last path segment only).
	Names string `yaml:"names" json:"names"`
	// NotNames matches keys that look secret-named but hold something
	// else: password_file, token_url, secret_name.
	NotNames string `yaml:"not-names" json:"not-names"`
	// Keywords are words every secret-named key contains one of; a chunk
	// with none of them (and no reference keyword) is not parsed at all.
	Keywords []string `yaml:"keywords" json:"keywords"`
	// MinLength and MinEntropy bound what counts as a literal secret.
	MinLength  int     `yaml:"min-length" json:"min-length"`
	MinEntropy float64 `yaml:"min-entropy" json:"min-entropy"`
	// Placeholders match values that are not literals: templates,
	// booleans, documentation stand-ins, file paths.
	Placeholders []string `yaml:"placeholders" json:"placeholders"`

	Examples               []string `yaml:"examples" json:"-"`
	CounterExamples        []string `yaml:"counter-examples" json:"-"`
	LiteralExamples        []string `yaml:"literal-examples" json:"-"`
	LiteralCounterExamples []string `yaml:"literal-counter-examples" json:"-"`

	names, notNames *regexp.Regexp
	placeholders    []*regexp.Regexp
}

func (k *KeyPolicy) compile() error {
	var err error
	if k.names, err = regexp.Compile(k.Names); err != nil || k.Names == "" {
		return fmt.Errorf("secret-keys names: %v", err)
	}
	if len(k.Keywords) == 0 {
		return fmt.Errorf("secret-keys: no keywords")
	}
	if k.notNames, err = regexp.Compile(k.NotNames); err != nil {
		return fmt.Errorf("secret-keys not-names: %w", err)
	}
	for _, p := range k.Placeholders {
		re, err := regexp.Compile(p)
		if err != nil {
			return fmt.Errorf("secret-keys placeholder %q: %w", p, err)
		}
		k.placeholders = append(k.placeholders, re)
	}
	return nil
}

// SecretNamed reports whether a key (or an environment variable name)
// names a secret.
func (k *KeyPolicy) SecretNamed(key string) bool {
	n := NormalizeKey(key)
	return n != "" && k.names.MatchString(n) && !k.notNames.MatchString(n)
}

// Literal reports whether a value under a secret-named key is a literal
// secret rather than empty, a placeholder, a template or a flag.
func (k *KeyPolicy) Literal(value string) bool {
	v := strings.TrimSpace(value)
	if len(v) < k.MinLength || strings.ContainsAny(v, " \t\n") {
		return false
	}
	for _, p := range k.placeholders {
		if p.MatchString(v) {
			return false
		}
	}
	hasLetter, hasOther := false, false
	for _, r := range v {
		if unicode.IsLetter(r) {
			hasLetter = true
		} else {
			hasOther = true
		}
	}
	return hasLetter && hasOther && detect.ShannonEntropy(v) >= k.MinEntropy
}

// NormalizeKey turns a key into lower snake_case of its last segment:
// "spring.datasource.password" -> "password", "dbPassword" ->
// "db_password", "API-KEY" -> "api_key". Keys are compared in this form
// (secret-named checks, migration matching).
func NormalizeKey(key string) string {
	key = strings.Trim(key, `"' `)
	if i := strings.LastIndexAny(key, ".:/["); i >= 0 && i < len(key)-1 {
		key = key[i+1:]
	}
	key = strings.TrimRight(key, "]")
	var b strings.Builder
	prevLower := false
	for _, r := range key {
		switch {
		case unicode.IsUpper(r):
			if prevLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		default:
			if s := b.String(); s != "" && !strings.HasSuffix(s, "_") {
				b.WriteByte('_')
			}
			prevLower = false
		}
	}
	return strings.Trim(b.String(), "_")
}
