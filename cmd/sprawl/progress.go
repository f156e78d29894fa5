package main

import (
	"runtime"
	"sync/atomic"

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

// doneCounter is implemented by a source that measures what it has done
// in the units of its Total, when those are not what it hands to the
// detector: git counts objects read, of which only some are scanned; an
// image counts layers and their compressed bytes. Without it, progress
// is what the detector was handed (files and their bytes).
type doneCounter interface {
	Done() (items, bytes int64)
}

// progressNouns names what one item is, per command.
var progressNouns = map[string]string{
	"dir":   "files",
	"git":   "objects",
	"image": "layers",
}

// meter is a source that knows both its total and how much of it is done.
type meter interface {
	totaler
	doneCounter
}

// lateMeter stands for a source that the scan creates once it runs (git
// opens the repository inside its scan function): the progress line can
// ask it from the start, and it answers zero until the source is set.
type lateMeter struct{ m atomic.Pointer[meter] }

func (l *lateMeter) set(m meter) { l.m.Store(&m) }

func (l *lateMeter) Total() (items, bytes int64) {
	if m := l.m.Load(); m != nil {
		return (*m).Total()
	}
	return 0, 0
}

func (l *lateMeter) Done() (items, bytes int64) {
	if m := l.m.Load(); m != nil {
		return (*m).Done()
	}
	return 0, 0
}

// startProgress draws a progress line on standard error while a scan runs,
// when standard error is a terminal and --quiet is off, and returns the
// function that stops it and erases the line. Warnings printed in verbose
// mode clear the line first, so the two do not overwrite each other.
//
// src is the walker, or what stands for it (a lateMeter); it may be a
// totaler and a doneCounter, or neither.
func startProgress(ios *IOStreams, g *globalOptions, command string, src any, stats *sources.Stats) (stop func()) {
	if !ios.ErrTTY || g.Quiet {
		return func() {}
	}
	done := stats.Progress
	if d, ok := src.(doneCounter); ok {
		done = d.Done
	}
	opts := progress.Options{
		Done: func() progress.Counts {
			items, bytes := done()
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
