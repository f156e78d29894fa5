// Command sprawl finds secrets in files, history, CI configuration and
// images, and says whether each is managed.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/pprof"
)

// Set at build time by the release tooling (-ldflags -X).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	holdGC() // until runScan has set up: see releaseGC
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	// SPRAWL_CPUPROFILE names a file for a CPU profile of the run, for
	// performance work on real inputs (`go tool pprof`).
	if path := os.Getenv("SPRAWL_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer f.Close()
				defer pprof.StopCPUProfile()
			}
		}
	}
	code := run(ctx, os.Args[1:], systemStreams())
	stop()
	pprof.StopCPUProfile()
	// SPRAWL_MEMPROFILE names a file for the run's allocation profile.
	if path := os.Getenv("SPRAWL_MEMPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	os.Exit(code)
}

// run executes one command line and returns the process exit status.
func run(ctx context.Context, args []string, ios *IOStreams) int {
	root := NewCmdRoot(ios)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(err, ios)
}
