// Package progress draws a one-line progress display for long scans: how
// many items and bytes are done, how fast, and, when the total is known,
// how long is left. It only renders; the caller decides whether the output
// is a terminal worth drawing on, and feeds it counters to poll.
package progress

import (
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Counts is how much of a scan is done, or its total.
type Counts struct {
	Items int64
	Bytes int64
}

// Options configure a Meter. Done is required; everything else has a
// default.
type Options struct {
	// Done reads the counters; it is called on every tick, so it must be
	// cheap and safe to call while the scan runs.
	Done func() Counts
	// Total reads how much there is to do, when a source knows it. A zero
	// field means that total is unknown. Nil means nothing is known.
	Total func() Counts
	// Noun names what an item is ("files", "blobs", "layers"); default
	// "items".
	Noun string
	// Interval is how often Start redraws; default 200ms.
	Interval time.Duration
	// Delay keeps the line off the screen for quick scans; default 1s,
	// negative to draw from the first update.
	Delay time.Duration
	// Window is how far back the rate looks, so that it follows the
	// current speed rather than the average since the start; default 5s.
	Window time.Duration
	// Now is the clock; tests set a fake one.
	Now func() time.Time
	// ANSI erases with the "erase to end of line" escape sequence, which
	// also clears what the terminal itself echoed after the line (a ^C).
	// Without it, the old line is overwritten with spaces, which works on
	// any terminal.
	ANSI bool
}

// Meter draws the progress line on w, rewriting it in place with a
// carriage return. It is safe for concurrent use.
type Meter struct {
	w    io.Writer
	opts Options

	mu      sync.Mutex
	start   time.Time
	samples []sample // within the rate window, oldest first
	drawn   int      // width of the line now on screen, 0 if none
	stopped bool

	done chan struct{}
	wg   sync.WaitGroup
}

type sample struct {
	at time.Time
	c  Counts
}

// New returns a meter that has drawn nothing yet. Call Start to redraw it
// on a ticker, or Update to draw once.
func New(w io.Writer, opts Options) *Meter {
	if opts.Noun == "" {
		opts.Noun = "items"
	}
	if opts.Interval <= 0 {
		opts.Interval = 200 * time.Millisecond
	}
	if opts.Delay < 0 {
		opts.Delay = 0
	} else if opts.Delay == 0 {
		opts.Delay = time.Second
	}
	if opts.Window <= 0 {
		opts.Window = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Meter{w: w, opts: opts, start: opts.Now(), done: make(chan struct{})}
}

// Start redraws the line every Interval until Stop.
func (m *Meter) Start() {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(m.opts.Interval)
		defer t.Stop()
		for {
			select {
			case <-m.done:
				return
			case <-t.C:
				m.Update()
			}
		}
	}()
}

// Update polls the counters and redraws the line, once the delay has
// passed.
func (m *Meter) Update() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return
	}
	now := m.opts.Now()
	st := m.observe(now)
	if st.Elapsed < m.opts.Delay {
		return
	}
	m.draw(Render(st))
}

// Suspend clears the line, runs f (which may write to the same terminal,
// a warning say) and leaves the line to be drawn again on the next tick.
func (m *Meter) Suspend(f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clear()
	f()
}

// Stop ends the ticker and erases the line, so that what is printed next
// starts on a clean line. It may be called more than once.
func (m *Meter) Stop() {
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		return
	}
	m.stopped = true
	close(m.done)
	m.mu.Unlock()
	m.wg.Wait()
	m.mu.Lock()
	m.clear()
	m.mu.Unlock()
}

// observe records a sample and works out the status at now.
func (m *Meter) observe(now time.Time) Status {
	st := Status{Done: m.opts.Done(), Elapsed: now.Sub(m.start), Noun: m.opts.Noun}
	if m.opts.Total != nil {
		st.Total = m.opts.Total()
	}
	m.samples = append(m.samples, sample{at: now, c: st.Done})
	// Keep one sample at or before the window's start as the base.
	cut := 0
	for cut+1 < len(m.samples) && now.Sub(m.samples[cut+1].at) >= m.opts.Window {
		cut++
	}
	m.samples = m.samples[cut:]
	base := sample{at: m.start}
	if len(m.samples) > 1 && now.Sub(m.samples[0].at) >= m.opts.Window {
		base = m.samples[0]
	}
	if span := now.Sub(base.at).Seconds(); span > 0 {
		st.ItemRate = float64(st.Done.Items-base.c.Items) / span
		st.ByteRate = float64(st.Done.Bytes-base.c.Bytes) / span
	}
	return st
}

// eraseEOL is the ANSI "erase to end of line" sequence.
const eraseEOL = "\x1b[K"

func (m *Meter) draw(line string) {
	n := utf8.RuneCountInString(line)
	pad := ""
	if m.opts.ANSI {
		pad = eraseEOL
	} else if m.drawn > n {
		pad = strings.Repeat(" ", m.drawn-n)
	}
	// Errors are ignored: a progress line that cannot be drawn must not
	// stop the scan.
	_, _ = io.WriteString(m.w, "\r"+line+pad)
	m.drawn = n
}

func (m *Meter) clear() {
	if m.drawn == 0 {
		return
	}
	if m.opts.ANSI {
		_, _ = io.WriteString(m.w, "\r"+eraseEOL)
	} else {
		_, _ = io.WriteString(m.w, "\r"+strings.Repeat(" ", m.drawn)+"\r")
	}
	m.drawn = 0
}
