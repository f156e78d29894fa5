package classify

import (
	"bytes"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// CodeOwners is a parsed CODEOWNERS file: the last matching rule wins, as
// on GitHub and GitLab.
type CodeOwners struct {
	rules []ownerRule
}

type ownerRule struct {
	globs  []string
	owners []string
}

// IsCodeOwnersPath reports whether a scanned path is a CODEOWNERS file in
// one of the places GitHub and GitLab read it from.
func IsCodeOwnersPath(p string) bool {
	switch strings.TrimPrefix(p, "./") {
	case "CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS":
		return true
	}
	return false
}

// ParseCodeOwners reads CODEOWNERS lines "pattern owner...". GitLab
// [Section] headers and comments are skipped; a pattern without owners
// clears ownership, as GitHub does.
func ParseCodeOwners(data []byte) *CodeOwners {
	co := &CodeOwners{}
	for _, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" || line[0] == '#' || line[0] == '[' || line[0] == '^' {
			continue
		}
		f := strings.Fields(line)
		co.rules = append(co.rules, ownerRule{globs: ownerGlobs(f[0]), owners: f[1:]})
	}
	return co
}

// ownerGlobs turns a gitignore-style CODEOWNERS pattern into doublestar
// globs: unanchored patterns match at any depth, directories match what
// is under them.
func ownerGlobs(p string) []string {
	anchored := strings.HasPrefix(p, "/") || strings.Contains(strings.TrimSuffix(p, "/"), "/")
	p = strings.TrimPrefix(p, "/")
	dir := strings.HasSuffix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "*" || p == "**" || p == "" {
		return []string{"**"}
	}
	if !anchored {
		p = "**/" + p
	}
	if dir {
		return []string{p + "/**"}
	}
	return []string{p, p + "/**"}
}

// Owners returns the owners of a path, or nil when no rule matches.
func (co *CodeOwners) Owners(p string) []string {
	if co == nil {
		return nil
	}
	p = path.Clean(strings.TrimPrefix(p, "/"))
	for i := len(co.rules) - 1; i >= 0; i-- {
		for _, g := range co.rules[i].globs {
			if ok, _ := doublestar.Match(g, p); ok {
				return co.rules[i].owners
			}
		}
	}
	return nil
}
