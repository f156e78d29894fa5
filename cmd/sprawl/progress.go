package main

import (
	"runtime"

	"github.com/sprawl-sec/sprawl/pkg/progress"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// totaler is implemented by a source that knows, or learns while it runs,
// how much it has to scan (a git walk after listing its blobs, an image
// after reading its manifest). The progress line then shows a percentage
// and an ETA. Zero means unknown.
type totaler interface {
	Total() (items, bytes int64)
}

// progressNouns names what one item is, per command.
var progressNouns = map[string]string{
	"dir":   "files",
	"git":   "blobs",
	"image": "files",
}

// startProgress draws a progress line on standard error while a scan runs,
// when standard error is a terminal and --quiet is off, and returns the
// function that stops it and erases the line. Warnings printed in verbose
// mode clear the line first, so the two do not overwrite each other.
func startProgress(ios *IOStreams, g *globalOptions, command string, src sources.Source, stats *sources.Stats) (stop func()) {
	if !ios.ErrTTY || g.Quiet {
		return func() {}
	}
	opts := progress.Options{
		Done: func() progress.Counts {
			items, bytes := stats.Progress()
			return progress.Counts{Items: items, Bytes: bytes}
		},
		Noun: progressNouns[command],
		// Windows consoles may not interpret escape sequences.
		ANSI: runtime.GOOS != "windows",
	}
	if t, ok := src.(totaler); ok {
		opts.Total = func() progress.Counts {
			items, bytes := t.Total()
			return progress.Counts{Items: items, Bytes: bytes}
		}
	}
	m := progress.New(ios.ErrOut, opts)
	if prev := stats.OnWarning; prev != nil {
		stats.OnWarning = func(w sources.Warning) { m.Suspend(func() { prev(w) }) }
	}
	m.Start()
	return m.Stop
}
