package git

import (
	"errors"
	"fmt"
)

// copyRun is a stretch of a delta's target copied from its base: target
// bytes [t, t+n) equal base bytes [b, b+n). Consecutive copy instructions
// that continue each other are merged into one run.
type copyRun struct{ t, b, n int }

// span is a half-open byte range.
type span struct{ start, end int }

// deltaRecord says how a target was built: what was copied from the base
// and where new bytes were written or copied pieces were joined. Only the
// edits can hold content the base did not already show in the same
// context, which is what lets a delta be scanned by its edits alone.
type deltaRecord struct {
	runs  []copyRun
	edits []span // inserted bytes, and zero-width joins between runs
}

func (r *deltaRecord) reset() {
	r.runs = r.runs[:0]
	r.edits = r.edits[:0]
}

var errBadDelta = errors.New("malformed delta")

// applyDelta builds a delta's target from its base into dst (grown as
// needed), recording its runs and edits in rec when rec is not nil.
func applyDelta(base, delta, dst []byte, rec *deltaRecord) ([]byte, error) {
	srcSize, delta, ok := deltaVarint(delta)
	if !ok || srcSize != len(base) {
		return nil, fmt.Errorf("%w: base size %d, delta expects %d", errBadDelta, len(base), srcSize)
	}
	dstSize, delta, ok := deltaVarint(delta)
	if !ok || dstSize > maxObjectSize {
		return nil, fmt.Errorf("%w: bad target size", errBadDelta)
	}
	if cap(dst) < dstSize {
		dst = make([]byte, dstSize)
	}
	dst = dst[:dstSize]
	if rec != nil {
		rec.reset()
	}
	t := 0
	lastWasCopy := false
	for len(delta) > 0 {
		cmd := delta[0]
		delta = delta[1:]
		if cmd&0x80 != 0 {
			var off, n uint
			for i := uint(0); i < 4; i++ {
				if cmd&(1<<i) != 0 {
					if len(delta) == 0 {
						return nil, errBadDelta
					}
					off |= uint(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			for i := uint(0); i < 3; i++ {
				if cmd&(0x10<<i) != 0 {
					if len(delta) == 0 {
						return nil, errBadDelta
					}
					n |= uint(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint(len(base)) || t+int(n) > dstSize {
				return nil, fmt.Errorf("%w: copy out of range", errBadDelta)
			}
			copy(dst[t:], base[off:off+n])
			if rec != nil {
				rec.addCopy(t, int(off), int(n), lastWasCopy)
			}
			t += int(n)
			lastWasCopy = true
			continue
		}
		if cmd == 0 {
			return nil, fmt.Errorf("%w: reserved instruction", errBadDelta)
		}
		n := int(cmd)
		if n > len(delta) || t+n > dstSize {
			return nil, fmt.Errorf("%w: insert out of range", errBadDelta)
		}
		copy(dst[t:], delta[:n])
		if rec != nil {
			rec.addInsert(t, n)
		}
		delta = delta[n:]
		t += n
		lastWasCopy = false
	}
	if t != dstSize {
		return nil, fmt.Errorf("%w: wrote %d of %d bytes", errBadDelta, t, dstSize)
	}
	return dst, nil
}

func (r *deltaRecord) addCopy(t, b, n int, afterCopy bool) {
	if k := len(r.runs) - 1; k >= 0 && afterCopy {
		last := &r.runs[k]
		if last.t+last.n == t && last.b+last.n == b {
			last.n += n // the copy continues the previous one
			return
		}
		r.edits = append(r.edits, span{t, t}) // two pieces of the base joined
	}
	r.runs = append(r.runs, copyRun{t: t, b: b, n: n})
}

func (r *deltaRecord) addInsert(t, n int) {
	if k := len(r.edits) - 1; k >= 0 && r.edits[k].end == t {
		r.edits[k].end += n
		return
	}
	r.edits = append(r.edits, span{t, t + n})
}

// deltaVarint reads the little-endian base-128 sizes at a delta's start.
func deltaVarint(b []byte) (int, []byte, bool) {
	var v uint
	for shift := uint(0); len(b) > 0 && shift < 63; shift += 7 {
		c := b[0]
		b = b[1:]
		v |= uint(c&0x7f) << shift
		if c&0x80 == 0 {
			return int(v), b, true
		}
	}
	return 0, b, false
}
