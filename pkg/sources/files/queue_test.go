package files

import (
	"fmt"
	"sync"
	"testing"
)

// Every queued job reaches exactly one reader, in the order it was
// queued; the listing waits when it is limit jobs ahead, the slice does
// not grow past what is queued, and closing the queue ends every reader.
func TestJobQueueDeliversEveryJobOnce(t *testing.T) {
	const limit, n = 100, 20000
	q := newJobQueue(limit)
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := -1
			for {
				j, ok := q.pop()
				if !ok {
					return
				}
				if int(j.size) <= last {
					t.Errorf("job %d after %d: out of order", j.size, last)
				}
				last = int(j.size)
				mu.Lock()
				seen[j.abs]++
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		q.push(job{abs: fmt.Sprint(i), size: int64(i)})
		q.mu.Lock()
		queued, room := len(q.items)-q.head, cap(q.items)
		q.mu.Unlock()
		if queued > limit || room > 4*limit+2048 {
			t.Fatalf("after %d pushes: %d queued, room for %d", i+1, queued, room)
		}
	}
	q.close()
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d distinct jobs read, want %d", len(seen), n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("job %s read %d times", k, c)
		}
	}
}
