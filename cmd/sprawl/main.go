// Command sprawl finds secrets in files, history, CI configuration and
// images, and says whether each is managed.
package main

import (
	"context"
	"os"
	"os/signal"
)

// Set at build time by the release tooling (-ldflags -X).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], systemStreams())
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit status.
func run(ctx context.Context, args []string, ios *IOStreams) int {
	root := NewCmdRoot(ios)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(err, ios)
}
