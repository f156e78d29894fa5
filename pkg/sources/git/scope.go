package git

import (
	"container/heap"
	"errors"

	"github.com/go-git/go-git/v5/plumbing"
)

// scope says which commits to look at: those reachable from include but
// not from exclude, committed at or after since (Unix seconds; 0 for
// all), at most max of them (0 for all), newest first.
type scope struct {
	include []plumbing.Hash
	exclude []plumbing.Hash
	since   int64
	max     int
}

// errTooMany stops a selection that grew past its limit.
var errTooMany = errors.New("too many commits")

// commitGetter returns a commit, or false when it is not in the
// repository (beyond a shallow boundary).
type commitGetter func(plumbing.Hash) (*commitInfo, bool)

// selectCommits walks history newest first, as `git log A..B` does:
// commits reachable from an excluded tip are marked uninteresting and the
// mark travels to their parents; the walk ends when only uninteresting
// commits are left to visit. limit > 0 returns errTooMany past that many
// selected commits.
func selectCommits(get commitGetter, sc scope, limit int) ([]*commitInfo, error) {
	q := &commitQueue{}
	// 1 queued as interesting, 2 uninteresting, 3 selected
	state := map[plumbing.Hash]int8{}
	push := func(h plumbing.Hash, bad bool) {
		if s := state[h]; s == 2 || (!bad && s != 0) {
			return
		}
		c, ok := get(h)
		if !ok {
			return
		}
		if bad {
			state[h] = 2
		} else {
			state[h] = 1
		}
		heap.Push(q, queued{c: c, bad: bad})
	}
	for _, h := range sc.exclude {
		push(h, true)
	}
	for _, h := range sc.include {
		push(h, false)
	}
	var out []*commitInfo
	slop := 0
	for q.Len() > 0 {
		it := heap.Pop(q).(queued)
		bad := it.bad || state[it.c.hash] == 2
		if !bad && state[it.c.hash] != 1 {
			continue // already taken
		}
		if !bad {
			state[it.c.hash] = 3 // taken
			if sc.since > 0 && it.c.when < sc.since {
				continue // older than --since: its ancestors are too, as git log assumes
			}
			out = append(out, it.c)
			if limit > 0 && len(out) > limit {
				return nil, errTooMany
			}
			if sc.max > 0 && len(out) >= sc.max {
				break
			}
		}
		for _, p := range it.c.parents {
			push(p, bad)
		}
		if q.allBad() {
			// Keep marking a little longer: clock skew can put an
			// excluded ancestor after an included commit.
			if slop++; slop > 64 {
				break
			}
		} else {
			slop = 0
		}
	}
	// A commit taken before an excluded path reached it is dropped.
	kept := out[:0]
	for _, c := range out {
		if state[c.hash] != 2 {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

type queued struct {
	c   *commitInfo
	bad bool
}

// commitQueue is a max-heap on commit time (ties: id), counting how many
// queued entries are interesting.
type commitQueue struct {
	items []queued
	good  int
}

func (q *commitQueue) Len() int { return len(q.items) }
func (q *commitQueue) Less(i, j int) bool {
	a, b := q.items[i].c, q.items[j].c
	if a.when != b.when {
		return a.when > b.when
	}
	return a.hash.String() < b.hash.String()
}
func (q *commitQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *commitQueue) Push(x any) {
	it := x.(queued)
	if !it.bad {
		q.good++
	}
	q.items = append(q.items, it)
}
func (q *commitQueue) Pop() any {
	it := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	if !it.bad {
		q.good--
	}
	return it
}
func (q *commitQueue) allBad() bool { return q.good == 0 }
