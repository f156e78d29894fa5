package main

import (
	"runtime/debug"
	"sync"
	"testing"
)

// holdGC stops the collector but keeps a memory limit; releaseGC restores
// exactly what was set before (GOGC and GOMEMLIMIT from the environment).
func TestHoldGCIsReleasedToEarlierSettings(t *testing.T) {
	gcHold.once = sync.Once{}
	defer debug.SetGCPercent(debug.SetGCPercent(77))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 40))

	holdGC()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("collector not held: GOGC %d", p)
	}
	if l := debug.SetMemoryLimit(-1); l != 256<<20 {
		t.Errorf("memory limit while held: %d", l)
	}
	releaseGC()
	if p := debug.SetGCPercent(77); p != 77 {
		t.Errorf("GOGC after release: %d, want 77", p)
	}
	if l := debug.SetMemoryLimit(-1); l != 1<<40 {
		t.Errorf("memory limit after release: %d, want %d", l, int64(1<<40))
	}
}
