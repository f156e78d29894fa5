package git

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Walk phases: blobs and commits first, so that trees can then be reduced
// to the entries that lead to a blob with matches.
const (
	phaseBlobs = iota
	phaseTrees
)

// packWalk reads every object of a store once, each delta tree from its
// root, on several workers.
type packWalk struct {
	s       *store
	find    Finder
	lim     sources.Limits
	st      *sources.Stats
	cache   *lineCache
	workers int
	// exhaustive: see blobScanner.
	exhaustive bool
	// done counts the objects handled, for the progress line.
	done *atomic.Int64
	// looseKind is each loose object's type, learnt in the first phase so
	// that the second reads only loose trees.
	looseKind []uint8

	mu       sync.Mutex
	blobs    map[plumbing.Hash][]Match // blobs with matches
	commits  map[plumbing.Hash]*commitInfo
	messages map[plumbing.Hash][]Match
	trees    *treeIndex // phase 2
}

type walkTask struct {
	p *pack // nil: a loose object
	i uint32
}

func (w *packWalk) tasks(phase int) []walkTask {
	var out []walkTask
	// In pack order, consecutive roots (and their deltas, which git
	// writes near them) share pages. The packs are in the order of their
	// object numbers, and each lists its entries in file order already:
	// sorting the roots again took half a second of one core on git/git.
	for _, p := range w.s.packs {
		for _, i := range p.byOffset {
			switch e := &p.ent[i]; {
			case e.base == externalBase:
				out = append(out, walkTask{p, i})
			case e.base != noBase:
			case (e.kind == objTree) == (phase == phaseTrees):
				out = append(out, walkTask{p, i})
			}
		}
	}
	for i := range w.s.loose {
		out = append(out, walkTask{nil, uint32(i)})
	}
	return out
}

// run walks every delta tree whose root belongs to the phase.
func (w *packWalk) run(ctx context.Context, phase int) error {
	if phase == phaseBlobs {
		w.looseKind = make([]uint8, len(w.s.loose))
		w.blobs = map[plumbing.Hash][]Match{}
		w.commits = map[plumbing.Hash]*commitInfo{}
		w.messages = map[plumbing.Hash][]Match{}
		w.warnBroken()
	}
	tasks := w.tasks(phase)
	var next atomic.Int64
	var wg sync.WaitGroup
	for k := 0; k < w.workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := &walker{w: w, phase: phase, bs: newBlobScanner(w.find, w.lim, w.st, w.cache)}
			wk.bs.exhaustive = w.exhaustive
			wk.local()
			for ctx.Err() == nil {
				t := next.Add(1) - 1
				if int(t) >= len(tasks) {
					break
				}
				wk.root(tasks[t])
			}
			wk.merge()
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// warnBroken names every entry whose header could not be read, and how
// many deltas on it are lost with it.
func (w *packWalk) warnBroken() {
	for _, p := range w.s.packs {
		for i, e := range p.ent {
			if e.base != brokenBase {
				continue
			}
			lost := countDeltas(p, uint32(i))
			w.st.Warn("object "+p.idx.hash(i).String(), fmt.Sprintf("corrupt pack entry (unreadable header); %d object(s) stored as deltas on it skipped", lost))
			w.st.Skip(sources.SkipError)
		}
	}
}

func countDeltas(p *pack, i uint32) int {
	n := 0
	for _, c := range p.children(i) {
		n += 1 + countDeltas(p, c)
	}
	return n
}

// walker is one worker's state: buffers reused across objects, and
// results merged into the packWalk when the phase ends.
type walker struct {
	w     *packWalk
	phase int
	z     inflater
	bs    *blobScanner
	bufs  [][]byte // content per delta depth
	delta []byte
	rec   deltaRecord
	trees treeScratch

	blobs    map[plumbing.Hash][]Match
	commits  map[plumbing.Hash]*commitInfo
	messages map[plumbing.Hash][]Match
}

func (k *walker) local() {
	k.blobs = map[plumbing.Hash][]Match{}
	k.commits = map[plumbing.Hash]*commitInfo{}
	k.messages = map[plumbing.Hash][]Match{}
}

func (k *walker) merge() {
	k.w.mu.Lock()
	defer k.w.mu.Unlock()
	for h, m := range k.blobs {
		k.w.blobs[h] = m
	}
	for h, c := range k.commits {
		k.w.commits[h] = c
	}
	for h, m := range k.messages {
		k.w.messages[h] = m
	}
}

// maxKeptBuffer: buffers larger than this are dropped after use, so one
// huge file does not pin memory at every delta depth.
const maxKeptBuffer = 1 << 20

func (k *walker) buf(depth int) []byte {
	for len(k.bufs) <= depth {
		k.bufs = append(k.bufs, nil)
	}
	return k.bufs[depth][:0]
}

func (k *walker) keep(depth int, b []byte) {
	if cap(b) > maxKeptBuffer {
		b = nil
	}
	k.bufs[depth] = b
}

func (k *walker) root(t walkTask) {
	if t.p == nil {
		h := k.w.s.loose[t.i]
		if lk := k.w.looseKind[t.i]; lk != 0 && !k.wants(lk) {
			return
		}
		kind, data, err := k.w.s.readLoose(h, k.buf(0))
		if err != nil {
			k.corrupt(h, err, 0)
			return
		}
		k.w.looseKind[t.i] = kind // each worker writes its own tasks' slots
		if k.wants(kind) {
			k.handle(kind, h, data, nil, nil, k.w.s.looseBase+t.i)
		}
		k.keep(0, data)
		return
	}
	p, e := t.p, &t.p.ent[t.i]
	var (
		kind uint8
		data []byte
		err  error
	)
	if e.base == externalBase {
		kind, data, err = k.externalDelta(p, t.i)
	} else {
		kind = e.kind
		data, err = k.z.inflate(p, t.i, k.buf(0))
	}
	if err != nil {
		k.corrupt(p.idx.hash(int(t.i)), err, countDeltas(p, t.i))
		return
	}
	if !k.wants(kind) {
		return
	}
	res := k.handle(kind, p.idx.hash(int(t.i)), data, nil, nil, p.firstID+t.i)
	k.descend(p, t.i, kind, data, 0, res)
	k.keep(0, data)
}

func (k *walker) wants(kind uint8) bool { return (kind == objTree) == (k.phase == phaseTrees) }

// externalDelta resolves a delta whose base is outside its pack.
func (k *walker) externalDelta(p *pack, i uint32) (uint8, []byte, error) {
	kind, base, err := k.w.s.readObject(p.extBase[i], &k.z, 0)
	if err != nil {
		return 0, nil, fmt.Errorf("delta base %s: %w", p.extBase[i], err)
	}
	delta, err := k.z.inflate(p, i, nil)
	if err != nil {
		return 0, nil, err
	}
	data, err := applyDelta(base, delta, nil, nil)
	return kind, data, err
}

// descend walks the deltas built on entry i, depth first.
func (k *walker) descend(p *pack, i uint32, kind uint8, data []byte, depth int, res *blobResult) {
	for _, c := range p.children(i) {
		h := p.idx.hash(int(c))
		delta, err := k.z.inflate(p, c, k.delta)
		if err == nil {
			k.delta = delta
			var target []byte
			target, err = applyDelta(data, delta, k.buf(depth+1), &k.rec)
			if err == nil {
				cres := k.handle(kind, h, target, &k.rec, res, p.firstID+c)
				k.descend(p, c, kind, target, depth+1, cres)
				k.keep(depth+1, target)
				continue
			}
		}
		k.corrupt(h, err, countDeltas(p, c))
	}
}

func (k *walker) corrupt(h plumbing.Hash, err error, lost int) {
	msg := fmt.Sprintf("corrupt object, skipped: %v", err)
	if lost > 0 {
		msg += fmt.Sprintf(" (and %d object(s) stored as deltas on it)", lost)
	}
	k.w.st.Warn("object "+h.String(), msg)
	k.w.st.Skip(sources.SkipError)
}

// handle reads one object's content.
func (k *walker) handle(kind uint8, h plumbing.Hash, data []byte, rec *deltaRecord, base *blobResult, id uint32) *blobResult {
	k.w.done.Add(1)
	switch kind {
	case objBlob:
		res := k.bs.scan("blob "+h.String(), data, rec, base)
		if len(res.matches) > 0 {
			k.blobs[h] = res.matches
		}
		return res
	case objCommit:
		c, msg, err := parseCommit(h, data)
		if err != nil {
			k.corrupt(h, err, 0)
			return nil
		}
		k.commits[h] = c
		if res := k.bs.scan("commit "+h.String()+" message", msg, nil, nil); len(res.matches) > 0 {
			k.messages[h] = res.matches
		}
	case objTree:
		if err := k.w.trees.add(id, data, &k.trees); err != nil {
			k.corrupt(h, err, 0)
		}
	}
	return nil
}
