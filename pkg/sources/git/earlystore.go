package git

import "github.com/sprawl-sec/sprawl/pkg/sources"

// earlyStore is the object store being opened in the background while
// go-git resolves the revisions. Both take a few hundred milliseconds on a
// large repository (reading every pack entry's header; loading go-git's
// pack index to peel refs), one after the other on a single core; a
// whole-history scan needs both before its walk starts.
type earlyStore struct {
	done chan struct{}
	s    *store
	err  error
}

func openStoreEarly(dir string, st *sources.Stats) *earlyStore {
	e := &earlyStore{done: make(chan struct{})}
	go func() {
		defer close(e.done)
		e.s, e.err = openStore(dir, st)
	}()
	return e
}

// wait returns the store once it is open.
func (e *earlyStore) wait() (*store, error) {
	<-e.done
	return e.s, e.err
}

// discard closes the store when the scan turned out not to need it.
func (e *earlyStore) discard() {
	if s, err := e.wait(); err == nil {
		s.close()
	}
}

// takeStore returns the store opened early, or opens it now.
func (h *History) takeStore() (*store, error) {
	if e := h.early; e != nil {
		h.early = nil
		return e.wait()
	}
	return openStore(h.objects, h.opts.Stats)
}

// dropEarlyStore closes a store opened early that will not be read.
func (h *History) dropEarlyStore() {
	if e := h.early; e != nil {
		h.early = nil
		e.discard()
	}
}
