package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

type nopSource struct{}

func (nopSource) Walk(context.Context, func(sources.Chunk) error) error { return nil }

// TestProgressSilentUnlessTerminal checks the two cases where the progress
// line must never appear: standard error is not a terminal (CI logs, pipes)
// and --quiet. The drawing itself is tested in pkg/progress.
func TestProgressSilentUnlessTerminal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tty   bool
		quiet bool
	}{{"not a terminal", false, false}, {"quiet", true, true}} {
		var errOut bytes.Buffer
		ios := &IOStreams{ErrOut: &errOut, ErrTTY: tc.tty}
		stats := sources.NewStats()
		stats.Scanned(1 << 20)
		stop := startProgress(ios, &globalOptions{Quiet: tc.quiet}, "dir", nopSource{}, stats)
		stop()
		if errOut.Len() != 0 {
			t.Errorf("%s: progress wrote %q", tc.name, errOut.String())
		}
	}
}

// TestProgressKeepsWarningCallback checks that wiring the progress line
// on a terminal still delivers verbose warnings.
func TestProgressKeepsWarningCallback(t *testing.T) {
	var errOut bytes.Buffer
	ios := &IOStreams{ErrOut: &errOut, ErrTTY: true}
	stats := sources.NewStats()
	var got []string
	stats.OnWarning = func(w sources.Warning) { got = append(got, w.Place) }
	stop := startProgress(ios, &globalOptions{}, "dir", nopSource{}, stats)
	stats.Warn("a.txt", "permission denied")
	stop()
	if len(got) != 1 || got[0] != "a.txt" {
		t.Errorf("warnings delivered = %v, want [a.txt]", got)
	}
}
