package progress

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/humanize"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// counters stands in for sources.Stats.
type counters struct{ items, bytes atomic.Int64 }

func (c *counters) add(items, bytes int64) { c.items.Add(items); c.bytes.Add(bytes) }
func (c *counters) read() Counts           { return Counts{Items: c.items.Load(), Bytes: c.bytes.Load()} }

func newTestMeter(out *bytes.Buffer, c *counters, total *Counts) (*Meter, *fakeClock) {
	clk := &fakeClock{t: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)}
	opts := Options{Done: c.read, Now: clk.now, Delay: time.Second, Window: 5 * time.Second, Noun: "files"}
	if total != nil {
		opts.Total = func() Counts { return *total }
	}
	return New(out, opts), clk
}

// lastLine is what the terminal shows: the text after the last carriage
// return that is not only padding.
func lastLine(s string) string {
	parts := strings.Split(s, "\r")
	for i := len(parts) - 1; i >= 0; i-- {
		if strings.TrimSpace(parts[i]) != "" {
			return strings.TrimRight(parts[i], " ")
		}
	}
	return ""
}

func TestMeterWaitsForDelay(t *testing.T) {
	var out bytes.Buffer
	c := &counters{}
	m, clk := newTestMeter(&out, c, nil)
	clk.advance(500 * time.Millisecond)
	c.add(10, 1000)
	m.Update()
	if out.Len() != 0 {
		t.Fatalf("drew %q before the delay", out.String())
	}
	clk.advance(500 * time.Millisecond)
	m.Update()
	if got, want := out.String(), "\rscanning 10 files, 1.0 kB, 1.0 kB/s, 0:01"; got != want {
		t.Errorf("first draw = %q, want %q", got, want)
	}
}

func TestMeterUnknownTotal(t *testing.T) {
	var out bytes.Buffer
	c := &counters{}
	m, clk := newTestMeter(&out, c, nil)
	for i := 0; i < 4; i++ {
		clk.advance(time.Second)
		c.add(3000, 2_000_000)
		m.Update()
	}
	got := lastLine(out.String())
	want := "scanning 12,000 files, 8.0 MB, 2.0 MB/s, 0:04"
	if got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
	if strings.Contains(got, "ETA") || strings.Contains(got, "%") {
		t.Errorf("line %q shows an ETA or percentage without a total", got)
	}
}

func TestMeterKnownTotalShowsETA(t *testing.T) {
	var out bytes.Buffer
	c := &counters{}
	total := Counts{Items: 100, Bytes: 10_000_000}
	m, clk := newTestMeter(&out, c, &total)
	for i := 0; i < 3; i++ {
		clk.advance(time.Second)
		c.add(10, 1_000_000)
		m.Update()
	}
	got := lastLine(out.String())
	want := "scanning 30% 30/100 files, 3.0 MB/10.0 MB, 1.0 MB/s, 0:03, ETA 0:07"
	if got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
}

// TestMeterRateFollowsWindow checks that the rate reflects the last
// Window of the scan, not the average since the start: after a fast
// phase the scan slows down and the rate shown must drop to the new speed.
func TestMeterRateFollowsWindow(t *testing.T) {
	var out bytes.Buffer
	c := &counters{}
	total := Counts{Bytes: 1_000_000_000}
	m, clk := newTestMeter(&out, c, &total)
	for i := 0; i < 10; i++ { // 10 s at 10 MB/s
		clk.advance(time.Second)
		c.add(1, 10_000_000)
		m.Update()
	}
	for i := 0; i < 10; i++ { // 10 s at 1 MB/s
		clk.advance(time.Second)
		c.add(1, 1_000_000)
		m.Update()
	}
	got := lastLine(out.String())
	// 110 MB of 1 GB done; at 1 MB/s the remaining 890 MB take 890 s.
	want := "scanning 11% 20 files, 110.0 MB/1.0 GB, 1.0 MB/s, 0:20, ETA 14:50"
	if got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
}

func TestMeterItemTotalOnly(t *testing.T) {
	var out bytes.Buffer
	c := &counters{}
	total := Counts{Items: 40}
	m, clk := newTestMeter(&out, c, &total)
	clk.advance(2 * time.Second)
	c.add(10, 0)
	m.Update()
	got := lastLine(out.String())
	want := "scanning 25% 10/40 files, 0 B, 5.0 files/s, 0:02, ETA 0:06"
	if got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
}

func TestMeterPadsShorterLineAndStopClears(t *testing.T) {
	var out bytes.Buffer
	c := &counters{}
	total := Counts{Items: 4}
	m, clk := newTestMeter(&out, c, &total)
	clk.advance(2 * time.Second)
	c.add(1, 5_000_000)
	m.Update()
	first := strings.TrimPrefix(out.String(), "\r")
	if first != "scanning 25% 1/4 files, 5.0 MB, 2.5 MB/s, 0:02, ETA 0:06" {
		t.Fatalf("first line = %q", first)
	}
	out.Reset()
	// The source withdraws its total: the percentage and ETA go and the
	// line gets shorter, so the rest of the old line must be blanked.
	total = Counts{}
	m.Update()
	short := "scanning 1 files, 5.0 MB, 2.5 MB/s, 0:02"
	if want := "\r" + short + strings.Repeat(" ", len(first)-len(short)); out.String() != want {
		t.Errorf("redraw = %q, want %q", out.String(), want)
	}
	out.Reset()
	m.Stop()
	if want := "\r" + strings.Repeat(" ", len(short)) + "\r"; out.String() != want {
		t.Errorf("Stop wrote %q, want %q", out.String(), want)
	}
	out.Reset()
	m.Update()
	m.Stop()
	if out.Len() != 0 {
		t.Errorf("after Stop the meter wrote %q", out.String())
	}
}

func TestMeterANSIErase(t *testing.T) {
	var out bytes.Buffer
	c := &counters{}
	clk := &fakeClock{t: time.Unix(0, 0)}
	m := New(&out, Options{Done: c.read, Now: clk.now, Delay: -1, ANSI: true})
	c.add(2, 2000)
	clk.advance(2 * time.Second)
	m.Update()
	m.Stop()
	want := "\rscanning 2 items, 2.0 kB, 1.0 kB/s, 0:02\x1b[K\r\x1b[K"
	if out.String() != want {
		t.Errorf("wrote %q, want %q", out.String(), want)
	}
}

func TestSuspendClearsLineForOtherOutput(t *testing.T) {
	var out bytes.Buffer
	c := &counters{}
	m, clk := newTestMeter(&out, c, nil)
	clk.advance(2 * time.Second)
	c.add(1, 1)
	m.Update()
	out.Reset()
	m.Suspend(func() { out.WriteString("warning: x: unreadable\n") })
	got := out.String()
	if !strings.HasPrefix(got, "\r ") || !strings.HasSuffix(got, "\rwarning: x: unreadable\n") {
		t.Errorf("Suspend wrote %q, want the line blanked before the warning", got)
	}
	out.Reset()
	m.Stop()
	if out.Len() != 0 {
		t.Errorf("Stop after Suspend wrote %q; the line was already cleared", out.String())
	}
}

func TestStopWithoutDrawWritesNothing(t *testing.T) {
	var out bytes.Buffer
	m, _ := newTestMeter(&out, &counters{}, nil)
	m.Start()
	m.Stop()
	if out.Len() != 0 {
		t.Errorf("a quick scan left %q on the terminal", out.String())
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Status
		want string
	}{
		{"nothing yet", Status{}, "scanning 0 items, 0 B, 0:00"},
		{"hours", Status{Done: Counts{Items: 1234567, Bytes: 2_500_000_000_000}, Elapsed: 3*time.Hour + 4*time.Minute + 5*time.Second, ByteRate: 999_960},
			"scanning 1,234,567 items, 2.5 TB, 1.0 MB/s, 3:04:05"},
		{"done", Status{Done: Counts{Items: 5, Bytes: 100}, Total: Counts{Items: 5, Bytes: 100}, ByteRate: 10, Noun: "blobs"},
			"scanning 100% 5/5 blobs, 100 B/100 B, 10 B/s, 0:00, ETA 0:00"},
		{"overshoot is capped", Status{Done: Counts{Items: 7}, Total: Counts{Items: 5}, ItemRate: 1},
			"scanning 100% 7/5 items, 0 B, 1.0 items/s, 0:00, ETA 0:00"},
		{"stalled has no ETA", Status{Done: Counts{Bytes: 1}, Total: Counts{Bytes: 1 << 40}, ByteRate: 1},
			"scanning 0% 0 items, 1 B/1.1 TB, 1 B/s, 0:00"},
	} {
		if got := Render(tc.s); got != tc.want {
			t.Errorf("%s: Render = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestHumanBytesBoundaries(t *testing.T) {
	for n, want := range map[int64]string{
		999: "999 B", 1000: "1.0 kB", 999_949: "999.9 kB", 999_950: "1.0 MB", 1_500_000_000: "1.5 GB",
	} {
		if got := humanize.Bytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
