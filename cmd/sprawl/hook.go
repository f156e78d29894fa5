package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/sources/git"
)

// hookOptions are the flags of `sprawl hook install`.
type hookOptions struct {
	Path  string
	Force bool
}

// NewCmdHook groups the git hook commands.
func NewCmdHook(ios *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook",
		Short: "Install sprawl as a git hook",
	}
	cmd.AddCommand(newCmdHookInstall(ios, nil))
	return cmd
}

func newCmdHookInstall(ios *IOStreams, runF func(*hookOptions) error) *cobra.Command {
	opts := &hookOptions{}
	cmd := &cobra.Command{
		Use:   "install [PATH]",
		Short: "Write a pre-commit hook that runs sprawl git --staged",
		Long: `Write the repository's pre-commit hook (in core.hooksPath when that is set,
otherwise .git/hooks/pre-commit). The hook runs 'sprawl git --staged', so a commit
that adds a secret is stopped; 'git commit --no-verify' skips it once. An
existing hook is never replaced without --force.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = "."
			if len(args) == 1 {
				opts.Path = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runHookInstall(ios, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace an existing pre-commit hook")
	return cmd
}

func runHookInstall(ios *IOStreams, opts *hookOptions) error {
	dir, err := hooksDir(opts.Path)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "pre-commit")
	if _, err := os.Lstat(path); err == nil && !opts.Force {
		return fmt.Errorf("%s already exists; use --force to replace it, or add this line to it:\n  sprawl git --staged", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create hooks folder: %w", err)
	}
	// Replace, not rewrite: a symlinked hook is not followed into
	// another file.
	tmp, err := os.CreateTemp(dir, ".pre-commit-sprawl-*")
	if err != nil {
		return fmt.Errorf("write hook: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hookScript(selfPath())); err != nil {
		tmp.Close()
		return fmt.Errorf("write hook: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write hook: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o755); err != nil {
		return fmt.Errorf("write hook: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write hook: %w", err)
	}
	fmt.Fprintf(ios.ErrOut, "sprawl: pre-commit hook written to %s\n", path)
	return nil
}

// hooksDir is core.hooksPath (relative to the work tree) or the hooks
// folder of the repository's git directory (shared by linked work trees).
func hooksDir(path string) (string, error) {
	repo, err := git.OpenRepo(path)
	if err != nil {
		return "", err
	}
	st, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return "", fmt.Errorf("open repository %s: not stored on disk", path)
	}
	gitDir := st.Filesystem().Root()
	cfg, err := repo.Config()
	if err != nil {
		return "", fmt.Errorf("read git config: %w", err)
	}
	if hp := cfg.Raw.Section("core").Option("hooksPath"); hp != "" {
		if strings.HasPrefix(hp, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				hp = filepath.Join(home, hp[2:])
			}
		}
		if !filepath.IsAbs(hp) {
			base := gitDir
			if wt, err := repo.Worktree(); err == nil {
				base = wt.Filesystem.Root()
			}
			hp = filepath.Join(base, hp)
		}
		return hp, nil
	}
	return filepath.Join(gitDir, "hooks"), nil
}

// selfPath is this binary's absolute path, the hook's fallback when
// sprawl is not on PATH when git runs it.
func selfPath() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return p
}

func hookScript(self string) string {
	fallback := "sprawl"
	if self != "" {
		fallback = shellQuote(filepath.ToSlash(self))
	}
	return `#!/bin/sh
# Installed by 'sprawl hook install': stop a commit that adds a secret.
# Only lines added in this commit are scanned. Skip once with
# 'git commit --no-verify'; mark a false positive with a sprawl:allow comment.
if command -v sprawl >/dev/null 2>&1; then
	exec sprawl git --staged --quiet
fi
exec ` + fallback + ` git --staged --quiet
`
}

// shellQuote quotes a string for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
