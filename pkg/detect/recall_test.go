package detect

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

// TestRecallOnPeerVectors measures recall and false-positive rate on
// another scanner's published per-rule samples. The samples are not part
// of this repository: point SPRAWL_RECALL_VECTORS at a JSON-lines file of
// {"rule": "...", "kind": "tp"|"fp", "sample": "..."} records. Without it
// the test is skipped. It prints a per-rule table and fails only if the
// file cannot be read, since recall is a measurement, not a gate.
func TestRecallOnPeerVectors(t *testing.T) {
	path := os.Getenv("SPRAWL_RECALL_VECTORS")
	if path == "" {
		t.Skip("SPRAWL_RECALL_VECTORS not set")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := LoadRules(rules.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(all, Options{Decode: true})
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ tp, tpFound, fp, fpFlagged int }
	per := map[string]*tally{}
	var misses []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v struct{ Rule, Kind, Sample, Path string }
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("bad vector line: %v", err)
		}
		name := v.Path
		if name == "" {
			name = "sample.txt"
		}
		found := e.Scan(sources.Chunk{Data: []byte(v.Sample), Origin: &sources.Origin{Path: name}, StartLine: 1})
		tl := per[v.Rule]
		if tl == nil {
			tl = &tally{}
			per[v.Rule] = tl
		}
		switch v.Kind {
		case "tp":
			tl.tp++
			if len(found) > 0 {
				tl.tpFound++
			} else {
				misses = append(misses, fmt.Sprintf("MISS %s: %.160q", v.Rule, v.Sample))
			}
		case "fp":
			tl.fp++
			if len(found) > 0 {
				tl.fpFlagged++
				misses = append(misses, fmt.Sprintf("FP   %s (%s): %.160q", v.Rule, found[0].Rule.ID, v.Sample))
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(per))
	for id := range per {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var tp, tpFound, fp, fpFlagged, under90 int
	var b strings.Builder
	for _, id := range ids {
		tl := per[id]
		tp += tl.tp
		tpFound += tl.tpFound
		fp += tl.fp
		fpFlagged += tl.fpFlagged
		mark := ""
		if tl.tp > 0 && tl.tpFound*10 < tl.tp*9 {
			mark = "  <90%"
			under90++
		}
		fmt.Fprintf(&b, "%-45s tp %3d/%-3d fp %2d/%-2d%s\n", id, tl.tpFound, tl.tp, tl.fpFlagged, tl.fp, mark)
	}
	if os.Getenv("SPRAWL_RECALL_DETAIL") != "" {
		t.Log("\n" + b.String() + strings.Join(misses, "\n"))
	}
	t.Logf("rules %d; true positives found %d/%d (%.1f%%); false positives flagged %d/%d (%.1f%%); rules under 90%% recall: %d",
		len(ids), tpFound, tp, pct(tpFound, tp), fpFlagged, fp, pct(fpFlagged, fp), under90)
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
