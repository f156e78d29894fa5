package image

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// largeText is a text file over smallFile bytes ending with secret, all
// the same size for the same n.
func largeText(secret string, n int) string {
	line := "a line of a generated bundle, long enough to fill a megabyte soon\n"
	body := strings.Repeat(line, n/len(line)+1)
	return body[:n-len(secret)-1] + secret + "\n"
}

// TestLargeCopiesScannedOnce: a large file carried unchanged by several
// layers is scanned once; one of the same size but other content is still
// scanned; a large binary is still skipped unread.
func TestLargeCopiesScannedOnce(t *testing.T) {
	shared, other := ghToken("large shared"), ghToken("large other")
	const n = 2*smallFile + 123
	big := largeText(shared, n)
	sameSize := largeText(other, n)
	binary := "\x7fELF\x00\x00" + strings.Repeat("\x00\x01", smallFile)
	img := buildImage(t, v1.Config{}, nil,
		step{"COPY app /app", []file{{name: "app/bundle.js", data: big}, {name: "app/server", data: binary}}},
		step{"COPY data /data", []file{{name: "data/dump.sql", data: sameSize}}},
		step{"RUN chmod -R a+r /app", []file{{name: "app/bundle.js", data: big}, {name: "app/server", data: binary}}},
	)
	p, _ := layoutOf(t, img)
	for _, workers := range []int{1, 4} {
		r := mustScan(t, Options{Input: p, Workers: workers})
		if got := r.holding(shared); len(got) != 1 {
			t.Errorf("workers=%d: the shared file was scanned %d times, want once", workers, len(got))
		} else if got[0].origin.LayerIndex != 2 {
			t.Errorf("workers=%d: scanned in layer %d, want the top one (2)", workers, got[0].origin.LayerIndex)
		}
		if got := r.holding(other); len(got) != 1 {
			t.Errorf("workers=%d: a file of the same size but other content scanned %d times, want once", workers, len(got))
		}
		if d := r.snap.Skipped[SkipDuplicate]; d != 1 {
			t.Errorf("workers=%d: %d duplicates skipped, want 1", workers, d)
		}
		if b := r.snap.Skipped[sources.SkipBinary]; b != 2 {
			t.Errorf("workers=%d: %d binaries skipped, want 2", workers, b)
		}
		// The config's few bytes come on top; one more copy would add n.
		if r.snap.Bytes < 2*n || r.snap.Bytes >= 2*n+smallFile {
			t.Errorf("workers=%d: %d bytes scanned, want the two large files' %d and the config", workers, r.snap.Bytes, 2*n)
		}
	}
}
