package main

import (
	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/stdin"
)

// stdinOptions are the flags of `sprawl stdin`.
type stdinOptions struct {
	Name string
}

// NewCmdStdin scans standard input.
func NewCmdStdin(ios *IOStreams, g *globalOptions, runF func(*stdinOptions) error) *cobra.Command {
	opts := &stdinOptions{}
	cmd := &cobra.Command{
		Use:     "stdin",
		Short:   "Scan standard input",
		Example: `  kubectl get secret app -o yaml | sprawl stdin --name app-secret.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runScan(cmd.Context(), ios, g, scanJob{
				command:    "stdin",
				targets:    []string{opts.Name},
				configRoot: ".",
				newSource: func(_ *detect.Engine, lim sources.Limits, st *sources.Stats) sources.Source {
					return &stdin.Source{R: ios.In, Name: opts.Name, Limits: lim, Stats: st}
				},
			})
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "stdin", "path to report for the input")
	return cmd
}
