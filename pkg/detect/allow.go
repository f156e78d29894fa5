package detect

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Allowlist holds what the user (config file) says is not a secret.
type Allowlist struct {
	// Paths are doublestar globs matched against slash-separated paths.
	Paths []string `yaml:"paths"`
	// Regexes are matched against the secret.
	Regexes []string `yaml:"regexes"`
	// Stopwords make a secret that contains one (case-insensitive) not a
	// finding.
	Stopwords []string `yaml:"stopwords"`

	regexes   []*regexp.Regexp
	stopwords []string
}

// builtinNames are files whose contents are hashes and checksums by
// design, lock files and dependency sums, skipped in any folder. They are
// names rather than "**/" globs: a walker asks about every file, and a
// name looked up in a set costs a small part of twenty glob matches.
var builtinNames = map[string]bool{
	"package-lock.json": true, "npm-shrinkwrap.json": true, "yarn.lock": true, "pnpm-lock.yaml": true,
	"go.sum": true, "go.work.sum": true, "Cargo.lock": true, "poetry.lock": true, "Pipfile.lock": true,
	"composer.lock": true, "Gemfile.lock": true, "packages.lock.json": true, "gradle.lockfile": true,
	"flake.lock": true, "uv.lock": true, "bun.lock": true, "mix.lock": true, "pubspec.lock": true,
	"Package.resolved": true, ".terraform.lock.hcl": true,
}

// builtinStopwords mark documentation values and placeholders. They are
// checked on the secret only, never on the surrounding line.
var builtinStopwords = []string{
	"example", "placeholder", "changeme", "change_me", "change-me", "your_", "your-", "yourtoken",
	"yourkey", "yourpassword", "redacted", "dummy", "<your", "insert_", "replace_me", "replaceme",
	"sample", "xxxxxx", "******", "000000000000", "111111111111",
	"...", "secret_here", "token_here", "key_here", "notasecret", "not_a_secret", "fake",
}

// placeholderShapes are whole-secret shapes that reference a value kept
// elsewhere, or that stand for one in templates.
var placeholderShapes = regexp.MustCompile(`^(?:\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|%\([^)]*\)s?|%[sdv]|<[^>]*>|\{\{[^}]*\}\}|\[[^\]]*\]|@[A-Za-z_][A-Za-z0-9_]*@|#\{[^}]*\})$`)

// genericNoise are values that a fallback rule must not report: UUIDs,
// hashes, paths, numbers and plain words.
var genericNoise = []*regexp.Regexp{
	regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`), // UUID
	hexDigest,                                              // git SHA, sha256
	regexp.MustCompile(`^[0-9.\-_:/]+$`),                   // numbers, dates, versions
	regexp.MustCompile(`^(?:[a-z]+[_\-.]?)+$`),             // lower-case words
	regexp.MustCompile(`^(?:[A-Z][a-z]+)+$`),               // CamelCaseWords
	regexp.MustCompile(`^(?:[A-Z]+_?)+$`),                  // UPPER_CASE_NAMES
	regexp.MustCompile(`^(?:https?://|file:|/|\./|\.\./)`), // URLs and paths
	regexp.MustCompile(`^(?:true|false|null|none|nil|undefined)$`),
}

// hexDigest is the shape of a git object id or a SHA-256 digest.
var hexDigest = regexp.MustCompile(`^(?:sha\d*[-:])?[0-9a-f]{40}$|^(?:sha\d*[-:])?[0-9a-f]{64}$`)

// secretHexKey and digestKey decide what a 40- or 64-character hex value
// is from the name it is assigned to. Under a name that says secret,
// token, password or key it is a secret (`openssl rand -hex 32` is the
// usual way to make a signing key or webhook token), unless the name also
// says it is a digest or public (token_sha256, public_key, commit).
var (
	secretHexKey = regexp.MustCompile(`(?i)secret|token|passw|pwd|private|signing|encryption|master|credential|api[_\-.]?key|auth`)
	digestKey    = regexp.MustCompile(`(?i)hash|sha|md5|digest|checksum|commit|etag|integrity|fingerprint|revision|public|pub[_\-.]?key|salt|nonce`)
)

// hexIsSecret says whether a hex value under key is a secret rather than
// a digest (see secretHexKey).
func hexIsSecret(key string) bool {
	return key != "" && secretHexKey.MatchString(key) && !digestKey.MatchString(key)
}

func (a *Allowlist) compile() error {
	a.regexes = a.regexes[:0]
	for _, r := range a.Regexes {
		re, err := regexp.Compile(r)
		if err != nil {
			return fmt.Errorf("allowlist regex %q: %w", r, err)
		}
		a.regexes = append(a.regexes, re)
	}
	a.stopwords = a.stopwords[:0]
	for _, s := range append(append([]string{}, builtinStopwords...), a.Stopwords...) {
		a.stopwords = append(a.stopwords, strings.ToLower(s))
	}
	for _, p := range a.Paths {
		if !doublestar.ValidatePattern(p) {
			return fmt.Errorf("allowlist path %q is not a valid glob", p)
		}
	}
	return nil
}

// PathAllowed reports whether path is excluded from scanning.
func (a *Allowlist) PathAllowed(path string) bool {
	if builtinNames[path[strings.LastIndexByte(path, '/')+1:]] {
		return true
	}
	for _, p := range a.Paths {
		// Validated when the allowlist was compiled.
		if doublestar.MatchUnvalidated(p, path) {
			return true
		}
	}
	return false
}

// rejectSecret says why a secret is allowlisted, or returns "".
// validated secrets passed a structural check and skip the built-in
// stopwords and placeholder shapes, but not the user's allowlist. key is
// the name the secret is assigned to, when the rule's pattern reads one.
func (a *Allowlist) rejectSecret(secret, key string, generic, validated bool) string {
	lower := strings.ToLower(secret)
	words := a.stopwords
	if validated {
		words = words[len(builtinStopwords):]
	}
	for _, s := range words {
		if strings.Contains(lower, s) {
			return "stopword " + s
		}
	}
	if !validated && placeholderShapes.MatchString(secret) {
		return "placeholder or variable reference"
	}
	if !validated && repeatedChar(secret) {
		return "one character repeated"
	}
	for _, re := range a.regexes {
		if re.MatchString(secret) {
			return "allowlist regex " + re.String()
		}
	}
	if generic {
		for _, re := range genericNoise {
			if re == hexDigest && hexIsSecret(key) {
				continue
			}
			if re.MatchString(secret) {
				return "not secret-like: " + re.String()
			}
		}
	}
	return ""
}

// repeatedChar reports whether most of s is one character (xxxx, ****).
func repeatedChar(s string) bool {
	if len(s) < 4 {
		return false
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	for _, c := range counts {
		if c*10 >= len(s)*7 {
			return true
		}
	}
	return false
}

var inlineMarkers = [][]byte{[]byte("sprawl:allow"), []byte("gitleaks:allow")}

// InlineAllowed reports whether a line carries an inline allow marker
// (sprawl:allow, or gitleaks:allow so teams can switch without edits).
func InlineAllowed(line []byte) bool { return inlineAllowed(line) }

func inlineAllowed(line []byte) bool {
	for _, m := range inlineMarkers {
		if bytes.Contains(line, m) {
			return true
		}
	}
	return false
}
