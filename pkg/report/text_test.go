package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/humanize"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

func writeText(t *testing.T, r *Report, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := (TextWriter{}).Write(&buf, r, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestTextColor(t *testing.T) {
	// Whatever the environment claims, Color decides.
	t.Setenv("CLICOLOR_FORCE", "1")
	t.Setenv("COLORTERM", "truecolor")
	t.Setenv("TERM", "xterm-256color")
	opts := fixtureOptions()
	if out := writeText(t, fixtureReport(), opts); strings.Contains(out, "\x1b") {
		t.Errorf("text without colour holds escape sequences:\n%q", out)
	}
	opts.Color = true
	if out := writeText(t, fixtureReport(), opts); !strings.Contains(out, "\x1b[") {
		t.Error("text with colour holds no escape sequences")
	}
}

func TestTextCleanScan(t *testing.T) {
	r := &Report{Command: "dir", Stats: sources.Snapshot{Items: 1, Bytes: 2_500_000}, Elapsed: 42 * time.Millisecond}
	out := writeText(t, r, DefaultOptions())
	if out != "no secrets found in 1 file (2.5 MB) in 42ms\n" {
		t.Errorf("clean scan = %q", out)
	}
	r.Stats.Items, r.Baselined = 3042, 1
	r.Stats.Skipped = map[string]int{sources.SkipBinary: 2}
	out = writeText(t, r, DefaultOptions())
	if !strings.HasPrefix(out, "no secrets found in 3,042 files (2.5 MB) in 42ms; 1 known finding hidden by the baseline\n") ||
		!strings.Contains(out, "skipped 2 items: 2 binary") {
		t.Errorf("clean scan with skips = %q", out)
	}
}

func TestTextWarnings(t *testing.T) {
	r := fixtureReport()
	opts := fixtureOptions()
	short := writeText(t, r, opts)
	if strings.Contains(short, "h.jar") || !strings.Contains(short, "2 more; use -v") {
		t.Errorf("non-verbose output should list 5 warnings and hint at -v:\n%s", short)
	}
	opts.Verbose = true
	long := writeText(t, r, opts)
	if !strings.Contains(long, "h.jar: truncated archive") || strings.Contains(long, "use -v") {
		t.Errorf("verbose output should list every warning:\n%s", long)
	}
}

func TestTextEscapesControlCharacters(t *testing.T) {
	r := fixtureReport()
	r.Findings = r.Findings[:1]
	r.Findings[0].Origin = &sources.Origin{Source: sources.KindFile, Path: "evil\x1b[2Jname"}
	r.Stats.Warnings = []sources.Warning{{Place: "x\x1b]0;title\x07", Message: "bad"}}
	if out := writeText(t, r, fixtureOptions()); strings.Contains(out, "\x1b") || strings.Contains(out, "\x07") {
		t.Errorf("control characters from scanned content reached the terminal: %q", out)
	}
}

func TestTextTopRules(t *testing.T) {
	r := fixtureReport()
	base := r.Findings[0]
	r.Findings = nil
	for i := 0; i < 12; i++ {
		f := base
		rule := *base.Rule
		rule.ID = string(rune('a'+i)) + "-rule"
		f.Rule = &rule
		r.Findings = append(r.Findings, f)
	}
	out := writeText(t, r, fixtureOptions())
	if !strings.Contains(out, "j-rule") || strings.Contains(out, "k-rule") || !strings.Contains(out, "and 2 more rules") {
		t.Errorf("by-rule summary should list 10 rules:\n%s", out)
	}
}

func TestHumanUnits(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 5678901: "5.7 MB", 3e12: "3.0 TB", 5e15: "5000.0 TB"} {
		if got := humanize.Bytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{1234 * time.Millisecond: "1.23s", 42 * time.Millisecond: "42ms", 125 * time.Second: "2m5s"} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
