package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/env"
)

// envOptions are the flags of `sprawl env`.
type envOptions struct {
	File string
	// FailOnSet is true when --fail-on was given; otherwise a process
	// environment scan gates on externalized (see runEnv).
	FailOnSet bool
}

// errEnvNoRedact refuses --no-redact: the report of an environment scan
// goes to CI logs and artifacts, and the values are the job's live
// credentials.
var errEnvNoRedact = errors.New("--no-redact is not available for sprawl env: it reports variable names, rules and classes, never values " +
	"(its output lands in CI logs and artifacts); to see a value, read the variable where it is defined")

// NewCmdEnv scans the process environment, or a dotenv file with --file.
func NewCmdEnv(ios *IOStreams, g *globalOptions, runF func(*envOptions) error) *cobra.Command {
	opts := &envOptions{}
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Scan the process environment (or a dotenv file) and print names, never values",
		Long: `Scan every variable of sprawl's own environment, so that a CI job can check
which credentials it was given. Each variable is judged with its name
(NAME=value). Reports name the variable, the rule and the class, never any
part of the value: --no-redact is refused, and JSON, SARIF, CSV and GitLab
reports carry no secret or context text.

A credential in the environment is externalized (it came from outside the
job's code; the environment cannot say whether a secrets manager supplied it),
so for the process environment --fail-on defaults to externalized: the scan
fails when the job holds any credential a rule recognises. Use --exit-code 0
to only list them.

With --file, a dotenv file is scanned as a file, with line numbers: its values
sit on disk, so they are unmanaged, as sprawl dir would report them.`,
		Example: `  sprawl env
  sprawl env --format json --output env-report.json --exit-code 0
  sprawl env --file build.env`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.NoRedact {
				return errEnvNoRedact
			}
			opts.FailOnSet = cmd.Flags().Changed("fail-on")
			if runF != nil {
				return runF(opts)
			}
			return runEnv(cmd.Context(), ios, g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.File, "file", "", "scan this dotenv file instead of the process environment")
	return cmd
}

func runEnv(ctx context.Context, ios *IOStreams, g *globalOptions, opts *envOptions) error {
	if opts.File != "" {
		return runScan(ctx, ios, g, scanJob{
			command:    "env",
			targets:    []string{opts.File},
			configRoot: ".",
			hideValues: true,
			newSource: func(_ *detect.Engine, lim sources.Limits, st *sources.Stats) sources.Source {
				return &env.File{Path: opts.File, Limits: lim, Stats: st}
			},
		})
	}
	// Every credential found here is externalized, so the default gate
	// (unmanaged) could never fail: gate on what the job holds.
	if !opts.FailOnSet {
		g.Posture.FailOn = string(classify.Externalized)
	}
	var environ []string
	if ios.Environ != nil {
		environ = ios.Environ()
	}
	return runScan(ctx, ios, g, scanJob{
		command:    "env",
		targets:    []string{"environment"},
		configRoot: ".",
		hideValues: true,
		scan: func(ctx context.Context, eng *detect.Engine, cls *classify.Classifier, lim sources.Limits, st *sources.Stats) collected {
			found := collectFindings(ctx, &env.Source{Environ: environ, Limits: lim, Stats: st}, eng, cls)
			for i, f := range found.findings {
				found.findings[i] = classify.FromProcessEnvironment(f)
			}
			return found
		},
	})
}
