package sources

import (
	"sort"
	"sync"
	"sync/atomic"
)

// Reasons an item was skipped; the summary groups skips by these.
const (
	SkipBinary   = "binary"
	SkipTooLarge = "larger than --max-file-size"
	SkipExcluded = "excluded by allowlist"
	SkipIgnored  = "ignored by .gitignore"
	SkipSymlink  = "symlink not followed"
	SkipSpecial  = "not a regular file"
	SkipError    = "unreadable"
)

// Warning is a problem with one place that did not stop the scan.
type Warning struct {
	Place   string `json:"place"`
	Message string `json:"message"`
}

// Stats counts what a scan read and skipped. It is shared by all walkers
// and workers of one scan, so every method is safe for concurrent use.
type Stats struct {
	items    atomic.Int64
	bytes    atomic.Int64
	answered atomic.Int64

	mu       sync.Mutex
	skipped  map[string]int
	warnings []Warning
	// OnWarning, when set, is called for each warning as it happens (the
	// command line prints them on standard error in verbose mode).
	OnWarning func(Warning)
}

// NewStats returns empty counters.
func NewStats() *Stats { return &Stats{skipped: map[string]int{}} }

// Scanned records one item (file, blob, variable) of n bytes handed to
// the detector.
func (s *Stats) Scanned(n int64) {
	s.items.Add(1)
	s.bytes.Add(n)
}

// Answered records a place that was read and held nothing to scan: a CI
// project without variables. It was looked at, so a scan of such places
// did not scan "nothing" (see Snapshot.Answered).
func (s *Stats) Answered() { s.answered.Add(1) }

// Progress returns the items and bytes scanned so far. It takes no lock,
// so a progress display can poll it often while the scan runs.
func (s *Stats) Progress() (items, bytes int64) {
	return s.items.Load(), s.bytes.Load()
}

// Skip records an item that was not scanned, and why.
func (s *Stats) Skip(reason string) {
	s.mu.Lock()
	s.skipped[reason]++
	s.mu.Unlock()
}

// Warn records a problem with one place; the scan goes on.
func (s *Stats) Warn(place, message string) {
	w := Warning{Place: place, Message: message}
	s.mu.Lock()
	s.warnings = append(s.warnings, w)
	cb := s.OnWarning
	s.mu.Unlock()
	if cb != nil {
		cb(w)
	}
}

// Snapshot is a copy of the counters at one moment.
type Snapshot struct {
	Items int64 `json:"items"`
	Bytes int64 `json:"bytes"`
	// Answered counts places read that held nothing to scan.
	Answered int64          `json:"answered,omitempty"`
	Skipped  map[string]int `json:"skipped,omitempty"`
	Warnings []Warning      `json:"warnings,omitempty"`
}

// Snapshot returns a copy of the counters, warnings sorted by place.
func (s *Stats) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := Snapshot{Items: s.items.Load(), Bytes: s.bytes.Load(), Answered: s.answered.Load(), Skipped: map[string]int{}}
	for k, v := range s.skipped {
		snap.Skipped[k] = v
	}
	snap.Warnings = append([]Warning(nil), s.warnings...)
	sort.SliceStable(snap.Warnings, func(i, j int) bool { return snap.Warnings[i].Place < snap.Warnings[j].Place })
	return snap
}
