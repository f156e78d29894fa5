package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/report"
)

// NewCmdCompletion prints a shell completion script. Cobra would add a
// default one at run time; this one is registered explicitly so that it
// is part of the tree tests see and the man pages describe, and so that
// its help says how to install the script.
func NewCmdCompletion(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print a completion script for your shell on standard output.

bash (needs the bash-completion package):
  sprawl completion bash > /etc/bash_completion.d/sprawl          # all users
  sprawl completion bash > ~/.local/share/bash-completion/completions/sprawl

zsh:
  sprawl completion zsh > "${fpath[1]}/_sprawl"
  # if completion is not enabled yet, add to ~/.zshrc: autoload -U compinit; compinit

fish:
  sprawl completion fish > ~/.config/fish/completions/sprawl.fish

PowerShell:
  sprawl completion powershell | Out-String | Invoke-Expression
  # to keep it, add that line to your $PROFILE

Open a new shell afterwards. Release archives ship these scripts in completions/.`,
		ValidArgs:             []string{"bash", "zsh", "fish", "powershell"},
		Args:                  cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(ios.Out, true)
			case "zsh":
				return root.GenZshCompletion(ios.Out)
			case "fish":
				return root.GenFishCompletion(ios.Out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(ios.Out)
			}
			return fmt.Errorf("unknown shell %q", args[0])
		},
	}
}

// registerFlagCompletions offers the valid values of flags that take one
// from a fixed list.
func registerFlagCompletions(root *cobra.Command) {
	_ = root.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return report.FormatNames(), cobra.ShellCompDirectiveNoFileComp
	})
}
