package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/files"
)

// dirOptions are the flags of `sprawl dir`.
type dirOptions struct {
	Paths          []string
	FollowSymlinks bool
	Gitignore      bool
}

// NewCmdDir scans files and folders. runF replaces the scan in tests.
func NewCmdDir(ios *IOStreams, g *globalOptions, runF func(*dirOptions) error) *cobra.Command {
	opts := &dirOptions{}
	cmd := &cobra.Command{
		Use:   "dir [PATH...]",
		Short: "Scan files and folders (default: the current folder)",
		Example: `  sprawl dir .
  sprawl dir src config --format sarif --output sprawl.sarif
  sprawl dir . --baseline old-report.json --exit-code 3`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			if runF != nil {
				return runF(opts)
			}
			return runDir(cmd, ios, g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.FollowSymlinks, "follow-symlinks", false, "follow symbolic links (loops are detected)")
	cmd.Flags().BoolVar(&opts.Gitignore, "gitignore", false, "skip files that .gitignore excludes (off: an ignored .env still holds secrets)")
	return cmd
}

func runDir(cmd *cobra.Command, ios *IOStreams, g *globalOptions, opts *dirOptions) error {
	configRoot := opts.Paths[0]
	if info, err := os.Stat(configRoot); err == nil && !info.IsDir() {
		configRoot = filepath.Dir(configRoot)
	}
	return runScan(cmd.Context(), ios, g, scanJob{
		command:    "dir",
		targets:    opts.Paths,
		configRoot: configRoot,
		newSource: func(eng *detect.Engine, lim sources.Limits, st *sources.Stats) sources.Source {
			return files.New(files.Options{
				Roots:          opts.Paths,
				FollowSymlinks: opts.FollowSymlinks,
				Gitignore:      opts.Gitignore,
				Limits:         lim,
				Exclude:        eng.PathAllowed,
				Workers:        g.Threads,
				Stats:          st,
			})
		},
	})
}
