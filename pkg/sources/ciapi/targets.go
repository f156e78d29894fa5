package ciapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Targets keeps count of the projects, groups, repositories and
// organisations a walk asked about. A failed one is a warning naming it
// and the walk goes on; when every one failed, the walk fails, because a
// scan that read nothing must not pass a gate.
type Targets struct {
	Platform string // for the all-failed message: "GitLab", "GitHub"
	Stats    *sources.Stats
	tried    int
	failed   []string
}

// Do runs one target's reads. An error other than cancellation becomes a
// warning against place.
func (t *Targets) Do(ctx context.Context, place string, fn func() error) error {
	t.tried++
	err := fn()
	if err == nil {
		// Read, even if it held no variables: a project without any is
		// a scanned place, not a scan of nothing.
		t.Stats.Answered()
		return nil
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return ctx.Err()
	}
	var emitErr *emitError
	if errors.As(err, &emitErr) {
		return emitErr.err // the scan itself stopped: not this target's fault
	}
	t.Stats.Skip(sources.SkipError)
	t.Stats.Warn(place, err.Error())
	t.failed = append(t.failed, place+": "+err.Error())
	return nil
}

// Err is the walk's result: nil unless every target failed.
func (t *Targets) Err() error {
	if t.tried == 0 || len(t.failed) < t.tried {
		return nil
	}
	return fmt.Errorf("%s: every target failed, nothing was read:\n  %s", t.Platform, strings.Join(t.failed, "\n  "))
}

// emitError wraps an error from the scan's emit callback so that Do tells
// it from an API failure.
type emitError struct{ err error }

func (e *emitError) Error() string { return e.err.Error() }
func (e *emitError) Unwrap() error { return e.err }

// EmitValue hands one variable to the scan: its value (nil reads as
// empty) as chunks, or, for
// a name-only secret, one empty chunk whose origin carries the name (the
// name is what was read, so it counts as the item's bytes).
func EmitValue(value *string, origin *sources.Origin, lim sources.Limits, st *sources.Stats, emit func(sources.Chunk) error) error {
	var err error
	if origin.CI != nil && origin.CI.NameOnly {
		st.Scanned(int64(len(origin.CI.Variable)))
		err = emit(sources.Chunk{Origin: origin, StartLine: 1})
	} else {
		v := ""
		if value != nil {
			v = *value
		}
		err = sources.ReadChunks(strings.NewReader(v), origin, int64(len(v)), lim, st, emit)
	}
	if err != nil {
		return &emitError{err}
	}
	return nil
}
