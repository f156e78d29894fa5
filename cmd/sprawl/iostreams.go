package main

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams bundles the command's input and output, and what they are
// connected to, so that commands can be run in tests with buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY say whether Out and ErrOut are terminals.
	OutTTY bool
	ErrTTY bool
	// Getenv reads the environment (NO_COLOR, SPRAWL_FINGERPRINT_KEY).
	Getenv func(string) string
	// Environ lists the whole environment, for sprawl env to scan; nil
	// is an empty environment.
	Environ func() []string
}

func systemStreams() *IOStreams {
	return &IOStreams{
		In:      os.Stdin,
		Out:     os.Stdout,
		ErrOut:  os.Stderr,
		OutTTY:  isatty.IsTerminal(os.Stdout.Fd()) || isatty.IsCygwinTerminal(os.Stdout.Fd()),
		ErrTTY:  isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd()),
		Getenv:  os.Getenv,
		Environ: os.Environ,
	}
}
