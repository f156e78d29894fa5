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

type fixedMeter struct{ total, done int64 }

func (m fixedMeter) Total() (int64, int64) { return m.total, 0 }
func (m fixedMeter) Done() (int64, int64)  { return m.done, 7 }

// TestLateMeter checks the stand-in for a source that exists only once
// the scan runs: zero until it is set, then the source's own counts.
func TestLateMeter(t *testing.T) {
	l := &lateMeter{}
	if i, b := l.Total(); i != 0 || b != 0 {
		t.Errorf("unset total = %d, %d", i, b)
	}
	if i, b := l.Done(); i != 0 || b != 0 {
		t.Errorf("unset done = %d, %d", i, b)
	}
	l.set(fixedMeter{total: 40, done: 10})
	if i, _ := l.Total(); i != 40 {
		t.Errorf("total = %d, want 40", i)
	}
	if i, b := l.Done(); i != 10 || b != 7 {
		t.Errorf("done = %d, %d, want 10, 7", i, b)
	}
}
