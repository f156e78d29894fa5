package git

import "sync/atomic"

// progressCount is how far a Read has got, for a progress line: objects
// rather than blobs, since inflating commits and trees takes time too and
// most blobs need no detector at all (binary, or lines already read).
type progressCount struct {
	total, done atomic.Int64
}

// Total is how many objects Read will read: in a whole-history scan, every
// object of the store, known once the pack indexes are read, before any
// object is; in a limited scope, the blobs the chosen commits changed and
// their messages, known once the commits have been diffed. Zero until then.
func (h *History) Total() (items, bytes int64) { return h.prog.total.Load(), 0 }

// Done is how many objects Read has read so far, and the bytes it has
// handed to the detector.
func (h *History) Done() (items, bytes int64) {
	_, b := h.opts.Stats.Progress()
	return h.prog.done.Load(), b
}
