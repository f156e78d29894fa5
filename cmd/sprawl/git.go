package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/git"
)

// gitOptions are the flags of `sprawl git`.
type gitOptions struct {
	Target     string // repository path or URL
	Branch     string
	Range      string
	Since      string
	MaxCommits int
	Staged     bool
}

// NewCmdGit scans git history, or the staged changes. runF replaces the
// scan in tests.
func NewCmdGit(ios *IOStreams, g *globalOptions, runF func(*gitOptions) error) *cobra.Command {
	opts := &gitOptions{}
	cmd := &cobra.Command{
		Use:   "git [PATH|URL]",
		Short: "Scan git history (default: every ref of the repository in the current folder)",
		Long: `Scan git history: every blob and commit message reachable from the chosen
commits is read once, and each secret is reported for every commit and path that
introduced it, with author, date and message subject, and whether it is still at
HEAD. A URL is cloned into a temporary folder that is removed afterwards.

With --staged, only the lines added in the index (what the next commit holds)
are scanned, for a pre-commit hook: a secret already committed elsewhere in the
file does not block an unrelated commit.`,
		Example: `  sprawl git                                   # all refs of the repository here
  sprawl git --range origin/main..HEAD --exit-code 1   # what a pull request adds
  sprawl git https://github.com/org/repo --format sarif --output history.sarif
  sprawl git --staged                          # the pre-commit check`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Target = "."
			if len(args) == 1 {
				opts.Target = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Staged {
				return runStaged(cmd, ios, g, opts)
			}
			return runGit(cmd, ios, g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Branch, "branch", "", "only commits reachable from this branch, tag or commit")
	f.StringVar(&opts.Range, "range", "", "only commits in A..B (reachable from B, not from A), e.g. origin/main..HEAD")
	f.StringVar(&opts.Since, "since", "", "only commits made since DATE (2024-01-31, RFC 3339, or 90d, 12w, 1y ago)")
	f.IntVar(&opts.MaxCommits, "max-commits", 0, "only the newest N commits (0 for all)")
	f.BoolVar(&opts.Staged, "staged", false, "scan only the lines added in the index (for a pre-commit hook)")
	cmd.MarkFlagsMutuallyExclusive("branch", "range")
	cmd.MarkFlagsMutuallyExclusive("staged", "branch")
	cmd.MarkFlagsMutuallyExclusive("staged", "range")
	return cmd
}

func runGit(cmd *cobra.Command, ios *IOStreams, g *globalOptions, opts *gitOptions) error {
	var since time.Time
	if opts.Since != "" {
		var err error
		if since, err = parseSince(opts.Since, time.Now()); err != nil {
			return err
		}
	}
	if opts.MaxCommits < 0 {
		return fmt.Errorf("--max-commits must be 0 or more")
	}
	ctx := cmd.Context()
	path, display, configRoot := opts.Target, opts.Target, opts.Target
	if isRepoURL(opts.Target) {
		display = redactURL(opts.Target)
		dir, err := cloneURL(ctx, ios, g, opts.Target, display)
		if dir != "" {
			defer os.RemoveAll(dir)
		}
		if err != nil {
			return err
		}
		path, configRoot = dir, ""
	}
	prog := &lateMeter{}
	return runScan(ctx, ios, g, scanJob{
		command:    "git",
		progress:   prog,
		targets:    []string{display},
		configRoot: configRoot,
		scan: func(ctx context.Context, eng *detect.Engine, cls *classify.Classifier, lim sources.Limits, st *sources.Stats) collected {
			h, err := git.Open(git.Options{
				Path: path, Name: display, Branch: opts.Branch, Range: opts.Range, Since: since,
				MaxCommits: opts.MaxCommits, Limits: lim, Exclude: eng.PathAllowed, Workers: g.Threads, Stats: st,
			})
			if err != nil {
				return collected{err: err}
			}
			prog.set(h)
			owners := gitCodeOwners(h) // before Read, which closes go-git's store
			blobs, err := h.Read(ctx, gitFinder(eng, cls))
			if err != nil {
				if ctx.Err() != nil {
					return collected{err: fmt.Errorf("interrupted")}
				}
				return collected{err: err}
			}
			defer blobs.Close()
			return collected{findings: gitFindings(h.Attribute(blobs)), codeOwners: owners}
		},
	})
}

// cloneURL clones a repository (bare: history only) into a new temporary
// folder, which the caller removes even when the clone fails half way.
func cloneURL(ctx context.Context, ios *IOStreams, g *globalOptions, u, display string) (string, error) {
	releaseGC() // a clone holds the whole pack in memory at times
	dir, err := os.MkdirTemp("", "sprawl-clone-")
	if err != nil {
		return "", fmt.Errorf("clone %s: %w", display, err)
	}
	if !g.Quiet {
		fmt.Fprintf(ios.ErrOut, "sprawl: cloning %s into a temporary folder\n", display)
	}
	_, err = gogit.PlainCloneContext(ctx, dir, true, &gogit.CloneOptions{URL: u, Tags: gogit.AllTags})
	if err != nil {
		return dir, fmt.Errorf("clone %s: %s", display, strings.ReplaceAll(err.Error(), u, display))
	}
	return dir, nil
}

var scpLike = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\\]`)

// isRepoURL tells a URL (https://, ssh://, git://, file://, user@host:path)
// from a local path.
func isRepoURL(s string) bool {
	return strings.Contains(s, "://") || scpLike.MatchString(s)
}

// redactURL drops a password or token from a URL before it is shown.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

var relativeSince = regexp.MustCompile(`^(\d+)\s*(h|d|w|y)$`)

// parseSince reads a date, a date and time, or an age such as 90d.
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m := relativeSince.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour}[m[2]]
		return now.Add(-time.Duration(n) * unit), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: use a date (2024-01-31), RFC 3339, or an age such as 90d, 12w, 1y", s)
}
