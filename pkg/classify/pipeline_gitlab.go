package classify

import (
	"regexp"
	"strings"
)

var gitlabInclude = regexp.MustCompile(`^include(?:\[\d+\])?(?:\.local)?$`)

// GitLabLocalIncludes lists the files of the same repository that a
// .gitlab-ci.yml includes (include: path, include: [{local: path}]),
// slash-separated and relative to the repository root, so that a caller
// walking pipeline files can read them too: their names follow no
// convention IsPipelinePath could know. Remote, project and template
// includes are left out; a malformed file includes nothing.
func GitLabLocalIncludes(data []byte) []string {
	leaves, parsed := Extract(FormatYAML, data)
	if !parsed {
		return nil
	}
	var out []string
	for _, l := range leaves {
		if !gitlabInclude.MatchString(l.Path) || l.Value == "" || strings.Contains(l.Value, "://") {
			continue
		}
		out = append(out, strings.TrimPrefix(l.Value, "/"))
	}
	return out
}
