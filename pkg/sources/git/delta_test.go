package git

import (
	"bytes"
	"testing"
)

// TestApplyDeltaRecordsEdits builds a delta by hand: copy "line one\n",
// insert "NEW\n", copy "line three\n" (skipping line two), and checks the
// target, the copy runs and the edits.
func TestApplyDeltaRecordsEdits(t *testing.T) {
	base := []byte("line one\nline two\nline three\n")
	target := "line one\nNEW\nline three\n"
	delta := []byte{byte(len(base)), byte(len(target))}
	delta = append(delta, 0x80|0x01|0x10, 0, 9)   // copy 9 bytes from 0
	delta = append(delta, 4, 'N', 'E', 'W', '\n') // insert 4
	delta = append(delta, 0x80|0x01|0x10, 18, 11) // copy 11 bytes from 18
	var rec deltaRecord
	got, err := applyDelta(base, delta, nil, &rec)
	if err != nil || string(got) != target {
		t.Fatalf("got %q, %v", got, err)
	}
	if len(rec.runs) != 2 || rec.runs[1] != (copyRun{t: 13, b: 18, n: 11}) {
		t.Fatalf("runs %+v", rec.runs)
	}
	if len(rec.edits) != 1 || rec.edits[0] != (span{9, 13}) {
		t.Fatalf("edits %+v", rec.edits)
	}
	if w := editWindows(got, rec.edits, nil); len(w) != 1 || string(got[w[0].start:w[0].end]) != "NEW\n" {
		t.Fatalf("windows %+v", w)
	}
	// Two copies joined without an insert: the join is an edit.
	delta = []byte{byte(len(base)), 20, 0x80 | 0x01 | 0x10, 0, 9, 0x80 | 0x01 | 0x10, 18, 11}
	got, err = applyDelta(base, delta, nil, &rec)
	if err != nil || !bytes.Equal(got, []byte("line one\nline three\n")) || len(rec.edits) != 1 || rec.edits[0] != (span{9, 9}) {
		t.Fatalf("join: %q %v %+v", got, err, rec.edits)
	}
	// Malformed deltas are errors, not panics.
	for _, bad := range [][]byte{{}, {byte(len(base))}, {byte(len(base)), 5, 0x80 | 0x01 | 0x10, 200, 9}, {byte(len(base)), 5, 9, 'x'}, {byte(len(base)), 1, 0}} {
		if _, err := applyDelta(base, bad, nil, &rec); err == nil {
			t.Errorf("delta %v accepted", bad)
		}
	}
}
