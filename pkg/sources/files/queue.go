package files

import "sync"

// jobQueue hands the listed files to the readers. It lets the listing run
// up to limit files ahead, like a buffered channel that deep, but takes
// memory only for what is queued: a 64k-deep channel was a 2.6 MB buffer
// that the garbage collector scanned in every cycle, and whose pages were
// faulted in, even for a small tree.
type jobQueue struct {
	mu     sync.Mutex
	ready  sync.Cond // a job was queued, or the queue closed
	space  sync.Cond // a job was taken
	items  []job
	head   int // items[:head] were popped
	limit  int
	closed bool
}

// queueDepth is how far the listing may run ahead of the readers.
const queueDepth = 1 << 16

func newJobQueue(limit int) *jobQueue {
	q := &jobQueue{limit: limit}
	q.ready.L = &q.mu
	q.space.L = &q.mu
	return q
}

// push queues a job, waiting while limit jobs are queued.
func (q *jobQueue) push(j job) {
	q.mu.Lock()
	for len(q.items)-q.head >= q.limit {
		q.space.Wait()
	}
	if q.head > 1024 && q.head*2 > len(q.items) {
		// Most of the slice was popped: move what is left to the front,
		// so the slice does not grow with every file ever listed.
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, j)
	q.mu.Unlock()
	q.ready.Signal()
}

// close tells the readers that nothing more will be queued.
func (q *jobQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.ready.Broadcast()
}

// pop waits for a job; ok is false once the queue is closed and empty.
func (q *jobQueue) pop() (j job, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head == len(q.items) && !q.closed {
		q.ready.Wait()
	}
	if q.head == len(q.items) {
		return job{}, false
	}
	j = q.items[q.head]
	q.items[q.head] = job{} // let its strings go
	q.head++
	q.space.Signal()
	return j, true
}
