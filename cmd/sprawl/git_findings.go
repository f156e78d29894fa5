package main

import (
	"sort"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/git"
)

// gitFinder runs the detector and the classifier on one chunk of a blob
// or commit message and tells the git walker where each result is.
func gitFinder(eng *detect.Engine, cls *classify.Classifier) git.Finder {
	return func(c sources.Chunk) []git.Match {
		res := scanChunk(eng, cls, c)
		if len(res.Findings) == 0 {
			return nil
		}
		out := make([]git.Match, 0, len(res.Findings))
		for _, f := range res.Findings {
			out = append(out, git.Match{Offset: f.Offset, Line: f.Line, Lines: max(f.EndLine-f.Line, 0), Key: gitMatchKey(f), Value: f})
		}
		return out
	}
}

// gitMatchKey identifies a secret across blob versions: the rule, how it
// was decoded, and the value (or, for a reference, what it points at).
func gitMatchKey(f classify.Finding) string {
	id := ""
	if f.Rule != nil {
		id = f.Rule.ID
	}
	return id + "\x00" + f.Decoded + "\x00" + f.Identity()
}

// codeOwnersPaths are where GitHub and GitLab read CODEOWNERS from, in
// the order GitHub looks: the first one found wins.
var codeOwnersPaths = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}

// maxCodeOwnersSize is GitHub's own limit: a larger CODEOWNERS is ignored.
const maxCodeOwnersSize = 3 << 20

// gitCodeOwners reads CODEOWNERS at HEAD of the default branch, so that a
// finding anywhere in history is owned by whoever owns its path today,
// as in `sprawl dir` on a checkout.
func gitCodeOwners(h *git.History) *classify.CodeOwners {
	if p, data := h.HeadFile(maxCodeOwnersSize, codeOwnersPaths...); p != "" {
		return classify.ParseCodeOwners(data)
	}
	return nil
}

// gitFindings places each attributed match at its commit and path (staged
// matches have no commit), in a stable order: path, then commit date,
// then position.
func gitFindings(found []git.Finding) []classify.Finding {
	out := make([]classify.Finding, 0, len(found))
	for _, x := range found {
		f := x.Match.Value.(classify.Finding)
		shift := x.Match.Line - f.Line
		f.Line += shift
		f.EndLine += shift
		f.Offset = x.Match.Offset
		f.Origin = x.Origin
		f.NHI = append([]string(nil), f.NHI...)
		f.Environments = append([]string(nil), f.Environments...)
		f.Owners = append([]string(nil), f.Owners...)
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Origin.Path != b.Origin.Path {
			return a.Origin.Path < b.Origin.Path
		}
		ga, gb := a.Origin.Git, b.Origin.Git
		if ga == nil || gb == nil {
			return a.Offset < b.Offset
		}
		if !ga.Date.Equal(gb.Date) {
			return ga.Date.Before(gb.Date)
		}
		if ga.Commit != gb.Commit {
			return ga.Commit < gb.Commit
		}
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return gitMatchKey(a) < gitMatchKey(b)
	})
	return out
}
