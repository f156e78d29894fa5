package progress

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/humanize"
)

// Status is what one progress line shows.
type Status struct {
	Done  Counts
	Total Counts // zero fields are unknown
	// Elapsed is the time since the scan started.
	Elapsed time.Duration
	// ItemRate and ByteRate are per second, over the recent window.
	ItemRate float64
	ByteRate float64
	// Noun names the items; empty means "items".
	Noun string
}

// Render formats a status as one line without a line break, e.g.
//
//	scanning 12,345 items, 1.2 GB, 45.6 MB/s, 0:27
//	scanning 45% 1,234/5,000 items, 1.2 GB/2.7 GB, 45.6 MB/s, 0:27, ETA 0:33
//
// The percentage and ETA follow bytes when the byte total is known, and
// items when only the item count is.
func Render(s Status) string {
	noun := s.Noun
	if noun == "" {
		noun = "items"
	}
	var parts []string
	items := humanize.Count(s.Done.Items)
	if s.Total.Items > 0 {
		items += "/" + humanize.Count(s.Total.Items)
	}
	parts = append(parts, items+" "+noun)
	bytes := humanize.Bytes(s.Done.Bytes)
	if s.Total.Bytes > 0 {
		bytes += "/" + humanize.Bytes(s.Total.Bytes)
	}
	parts = append(parts, bytes)
	if s.ByteRate > 0 {
		parts = append(parts, humanize.Bytes(int64(s.ByteRate))+"/s")
	} else if s.ItemRate > 0 {
		format := "%.0f %s/s"
		if s.ItemRate < 10 {
			format = "%.1f %s/s"
		}
		parts = append(parts, fmt.Sprintf(format, s.ItemRate, noun))
	}
	parts = append(parts, clock(s.Elapsed))

	head := "scanning "
	if frac, ok := fraction(s); ok {
		head += fmt.Sprintf("%d%% ", int(math.Floor(frac*100)))
	}
	if eta, ok := ETA(s); ok {
		parts = append(parts, "ETA "+clock(eta))
	}
	return head + strings.Join(parts, ", ")
}

// fraction is how much is done, from bytes if their total is known, else
// from items; capped at 1 because a source's total may be an estimate.
func fraction(s Status) (float64, bool) {
	switch {
	case s.Total.Bytes > 0:
		return math.Min(1, float64(s.Done.Bytes)/float64(s.Total.Bytes)), true
	case s.Total.Items > 0:
		return math.Min(1, float64(s.Done.Items)/float64(s.Total.Items)), true
	}
	return 0, false
}

// ETA estimates the time left at the current rate; false when the total
// is unknown or nothing has moved yet.
func ETA(s Status) (time.Duration, bool) {
	var left, rate float64
	switch {
	case s.Total.Bytes > 0:
		left, rate = float64(s.Total.Bytes-s.Done.Bytes), s.ByteRate
	case s.Total.Items > 0:
		left, rate = float64(s.Total.Items-s.Done.Items), s.ItemRate
	default:
		return 0, false
	}
	if rate <= 0 {
		return 0, false
	}
	if left <= 0 {
		return 0, true
	}
	secs := math.Ceil(left / rate)
	if secs > float64(100*time.Hour/time.Second) {
		return 0, false // a stalled scan has no meaningful ETA
	}
	return time.Duration(secs) * time.Second, true
}

// clock prints a duration as m:ss, or h:mm:ss past an hour.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	secs := int64(d / time.Second)
	h, m, s := secs/3600, secs/60%60, secs%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
