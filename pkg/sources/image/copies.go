package image

import (
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Copy is a file that was not scanned because a file with the same
// content was: the same file carried by several layers (a chmod or chown
// step), or by the images of several platforms, or copied to another
// path. What was found in Of is in At too, at the same lines: a report
// of how far a secret has spread lists both.
type Copy struct {
	Of, At *sources.Origin
}

// Copies lists the copies the walk met, once it is over.
func (w *Walker) Copies() []Copy {
	w.seen.mu.Lock()
	defer w.seen.mu.Unlock()
	return append([]Copy(nil), w.seen.copies...)
}

// Holds reports whether a chunk origin is the scanned file Of or a member
// of it (an archive's "Of.Path!/member").
func (c Copy) Holds(o *sources.Origin) bool {
	return o != nil && o.Image == c.Of.Image && o.Source == c.Of.Source &&
		(o.Path == c.Of.Path || strings.HasPrefix(o.Path, c.Of.Path+"!/"))
}

// Place returns where in the copy an origin within Of is; the caller
// checks Holds first.
func (c Copy) Place(o *sources.Origin) *sources.Origin {
	p := *c.At
	p.Path = c.At.Path + o.Path[len(c.Of.Path):]
	return &p
}
