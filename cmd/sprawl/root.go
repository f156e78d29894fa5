package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// globalOptions are the flags every scanning command shares.
type globalOptions struct {
	ConfigPath  string
	Format      string
	OutputPath  string
	NoRedact    bool
	ExitCode    int
	NoColor     bool
	Quiet       bool
	Verbose     bool
	Threads     int
	MaxFileSize string
	Baseline    string
	NoDecode    bool
	Posture     postureOptions // --fail-on, --max-age, --inventory, --service (inventory.go)
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(ios *IOStreams) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "sprawl",
		Short: "Find secrets and tell whether they are managed",
		Long: `sprawl finds credentials in files, git history, CI pipeline files and CI
variables, container images, standard input and the process environment. It says
whether each one is unmanaged (a literal), externalized (a CI store or environment
reference) or managed (a secrets manager), groups every place a secret appears
into one credential, and reports unmanaged ones as OWASP NHI2 (Secret Leakage)
findings.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w\nRun '%s --help' for usage", err, c.CommandPath())
	})
	f := root.PersistentFlags()
	f.StringVarP(&g.ConfigPath, "config", "c", "", "config file (default: .sprawl.yaml at the scan root)")
	f.StringVarP(&g.Format, "format", "f", "text", "report format: text, json, sarif, csv or gitlab")
	f.StringVarP(&g.OutputPath, "output", "o", "", "write the report to this file (created with mode 0600)")
	f.BoolVar(&g.NoRedact, "no-redact", false, "show secrets in full in the report")
	f.IntVar(&g.ExitCode, "exit-code", 1, "exit status when secrets are found")
	f.BoolVar(&g.NoColor, "no-color", false, "disable colour (also when NO_COLOR is set)")
	f.BoolVarP(&g.Quiet, "quiet", "q", false, "print only the report")
	f.BoolVarP(&g.Verbose, "verbose", "v", false, "print every warning as it happens")
	f.IntVar(&g.Threads, "threads", runtime.GOMAXPROCS(0), "number of files scanned at once")
	f.StringVar(&g.MaxFileSize, "max-file-size", "50MB", "skip files larger than this (0 for no limit)")
	f.StringVar(&g.Baseline, "baseline", "", "JSON report of an earlier scan; findings in it are not reported again")
	f.BoolVar(&g.NoDecode, "no-decode", false, "do not decode base64 and percent-encoded text")
	addPostureFlags(f, &g.Posture)

	root.AddCommand(
		NewCmdDir(ios, g, nil),
		NewCmdGit(ios, g, nil), NewCmdHook(ios),
		NewCmdStdin(ios, g, nil),
		NewCmdEnv(ios, g, nil),
		NewCmdImage(ios, g, nil),
		NewCmdCI(ios, g, nil),
		NewCmdRules(ios, g),
		NewCmdVersion(ios),
		NewCmdMerge(ios, g), NewCmdInventory(ios, g),
		NewCmdCompletion(ios),
		NewCmdMan(ios),
	)
	registerFlagCompletions(root)
	return root
}
