package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/git"
)

// runStaged scans the lines the index adds to HEAD: the pre-commit check.
// A commit that adds no text (a deletion, a binary file, an empty commit)
// has nothing to scan and passes, unlike a scan of an empty folder.
func runStaged(cmd *cobra.Command, ios *IOStreams, g *globalOptions, opts *gitOptions) error {
	maxSize, err := parseSize(g.MaxFileSize)
	if err != nil {
		return fmt.Errorf("--max-file-size: %w", err)
	}
	preloadBuiltins() // while the index and HEAD are read
	early := sources.NewStats()
	staged, err := git.OpenStaged(git.StagedOptions{Path: opts.Target, Limits: sources.Limits{MaxSize: maxSize}, Stats: early})
	if err != nil {
		return err
	}
	if staged.Files() == 0 {
		if !g.Quiet {
			fmt.Fprintln(ios.ErrOut, "sprawl: no added lines staged; nothing to scan")
		}
		return nil
	}
	root := staged.Root()
	if root == "" {
		root = opts.Target
	}
	return runScan(cmd.Context(), ios, g, scanJob{
		command:    "git",
		targets:    []string{"staged changes in " + opts.Target},
		configRoot: root,
		scan: func(ctx context.Context, eng *detect.Engine, cls *classify.Classifier, _ sources.Limits, st *sources.Stats) collected {
			for _, w := range early.Snapshot().Warnings {
				st.Warn(w.Place, w.Message)
			}
			found := staged.Scan(ctx, gitFinder(eng, cls), eng.PathAllowed, st)
			if ctx.Err() != nil {
				return collected{err: fmt.Errorf("interrupted")}
			}
			return collected{findings: gitFindings(found)}
		},
	})
}
