package main

import (
	"runtime/debug"
	"sync"
)

// gcHold remembers the collector settings holdGC replaced.
var gcHold struct {
	once    sync.Once
	percent int
	limit   int64
}

// holdGC stops garbage collection while the process starts: loading the
// rules, the reference patterns and the keyword automaton allocates a few
// megabytes that all stay live, so collecting while the heap grows to that
// size frees nothing and costs two or three cycles of a 45 ms start. A
// memory limit (256 MiB, or GOMEMLIMIT if lower) still collects for a
// command that never reaches releaseGC.
func holdGC() {
	gcHold.percent = debug.SetGCPercent(-1)
	gcHold.limit = debug.SetMemoryLimit(-1)
	debug.SetMemoryLimit(min(gcHold.limit, 256<<20))
}

// releaseGC gives the collector back the settings the environment chose
// (GOGC, GOMEMLIMIT). Scans call it once set up, and so does any command
// before work that can take much memory (a clone, a large sample for
// rules check); it does nothing if holdGC was never called (tests run
// commands without main).
func releaseGC() {
	gcHold.once.Do(func() {
		if gcHold.limit == 0 {
			return
		}
		debug.SetGCPercent(gcHold.percent)
		debug.SetMemoryLimit(gcHold.limit)
	})
}
