package image

import (
	"context"
	"sync"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// SkipDuplicate counts files not scanned because a file with the same
// content was scanned already (the same file in several layers or
// platforms, a layer that only changed permissions).
const SkipDuplicate = "same content as a file already scanned"

// seenFiles remembers the SHA-256 of every file scanned with where it
// was, the sizes of the large ones, and the copies not scanned, so that
// identical files are scanned once and reported everywhere.
type seenFiles struct {
	mu     sync.Mutex
	sums   map[[32]byte]*sources.Origin
	sizes  map[int64]struct{} // files larger than smallFile
	copies []Copy
}

func newSeenFiles() *seenFiles {
	return &seenFiles{sums: map[[32]byte]*sources.Origin{}, sizes: map[int64]struct{}{}}
}

func (s *seenFiles) hasSize(n int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sizes[n]
	return ok
}

func (s *seenFiles) addSize(n int64) {
	s.mu.Lock()
	s.sizes[n] = struct{}{}
	s.mu.Unlock()
}

// first records the content sum of the file at origin and reports
// whether it is new; if not, the file is recorded as a copy of the one
// scanned.
func (s *seenFiles) first(sum [32]byte, origin *sources.Origin) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if of, ok := s.sums[sum]; ok {
		s.copies = append(s.copies, Copy{Of: of, At: origin})
		return false
	}
	s.sums[sum] = origin
	return true
}

// scanPool scans small files on worker goroutines while the layer's
// reader goroutine goes on decompressing, so that the two overlap.
type scanPool struct {
	ctx     context.Context
	emit    func(sources.Chunk) error
	jobs    chan func() error
	pending sync.WaitGroup
	workers sync.WaitGroup

	mu  sync.Mutex
	err error
}

func newScanPool(ctx context.Context, workers int, emit func(sources.Chunk) error) *scanPool {
	p := &scanPool{ctx: ctx, emit: emit, jobs: make(chan func() error, 2*workers)}
	for range workers {
		p.workers.Add(1)
		go func() {
			defer p.workers.Done()
			for job := range p.jobs {
				if p.failed() == nil {
					if err := job(); err != nil {
						p.fail(err)
					}
				}
				p.pending.Done()
			}
		}()
	}
	return p
}

func (p *scanPool) fail(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
}

// failed returns the first error from emit, or the context's.
func (p *scanPool) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	return p.ctx.Err()
}

func (p *scanPool) submit(job func() error) error {
	if err := p.failed(); err != nil {
		return err
	}
	p.pending.Add(1)
	select {
	case p.jobs <- job:
		return nil
	case <-p.ctx.Done():
		p.pending.Done()
		return p.ctx.Err()
	}
}

// wait returns once every submitted job is done.
func (p *scanPool) wait() error {
	p.pending.Wait()
	return p.failed()
}

func (p *scanPool) close() {
	close(p.jobs)
	p.workers.Wait()
}

// entryStats gives one file in a layer its own counters, so that a
// warning raised deep in the shared readers (a read error, a zip bomb in
// a jar) names the layer as well as the file; fold then adds its counts
// to the scan's.
func (w *Walker) entryStats(layerPlace string) *sources.Stats {
	es := sources.NewStats()
	main := w.opts.Stats
	es.OnWarning = func(wn sources.Warning) { main.Warn(layerPlace+": "+wn.Place, wn.Message) }
	return es
}

func (w *Walker) fold(es *sources.Stats) {
	snap, main := es.Snapshot(), w.opts.Stats
	for i := int64(0); i < snap.Items; i++ {
		if i == 0 {
			main.Scanned(snap.Bytes)
		} else {
			main.Scanned(0)
		}
	}
	for reason, n := range snap.Skipped {
		for range n {
			main.Skip(reason)
		}
	}
}
