package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// NewCmdMan writes a man page per command, generated from the command
// tree so that it cannot disagree with --help. It is hidden: packagers and
// the release build run it, users read the pages. SOURCE_DATE_EPOCH, when
// set, fixes the date in the pages so builds are reproducible.
func NewCmdMan(ios *IOStreams) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:    "man --dir DIR",
		Short:  "Write man pages for every command into a folder",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			header := &doc.GenManHeader{
				Title:   "SPRAWL",
				Section: "1",
				Source:  "sprawl " + version,
				Manual:  "sprawl manual",
			}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			fmt.Fprintf(ios.ErrOut, "man pages written to %s\n", dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "folder to write the pages into (created if missing)")
	_ = cmd.MarkFlagRequired("dir")
	return cmd
}
