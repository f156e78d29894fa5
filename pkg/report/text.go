package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// TextWriter writes the human report: findings grouped by place, then a
// summary. It always redacts unless Options.Redact is false.
type TextWriter struct{}

// textStyles holds the lipgloss styles of one write. They come from a
// renderer whose colour profile is set explicitly, so nothing depends on
// global terminal detection: without Options.Color the output has no
// escape sequences at all, whatever the terminal or environment says.
type textStyles struct {
	color              bool
	heading, dim, warn lipgloss.Style
	badge              map[string]lipgloss.Style
}

func newTextStyles(color bool) textStyles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	if color {
		r.SetColorProfile(termenv.ANSI256)
	}
	// Setting the background explicitly stops lipgloss from querying the
	// terminal, which would write to it and wait for an answer.
	r.SetHasDarkBackground(true)
	badge := func(fg, bg string) lipgloss.Style {
		return r.NewStyle().Bold(true).Foreground(lipgloss.Color(fg)).Background(lipgloss.Color(bg))
	}
	return textStyles{
		color:   color,
		heading: r.NewStyle().Bold(true).Foreground(lipgloss.Color("75")),
		dim:     r.NewStyle().Faint(true),
		warn:    r.NewStyle().Foreground(lipgloss.Color("214")),
		badge: map[string]lipgloss.Style{
			detect.SeverityCritical: badge("231", "160"),
			detect.SeverityHigh:     badge("231", "202"),
			detect.SeverityMedium:   badge("16", "220"),
			detect.SeverityLow:      badge("16", "74"),
		},
	}
}

// severity renders a fixed-width badge: white on a coloured block with
// colour, "[HIGH]    " without, so that titles line up either way.
func (s textStyles) severity(sev string) string {
	if !s.color {
		return fmt.Sprintf("%-10s", "["+strings.ToUpper(sev)+"]")
	}
	label := fmt.Sprintf(" %-8s ", strings.ToUpper(sev))
	if st, ok := s.badge[sev]; ok {
		return st.Render(label)
	}
	return label
}

// Write implements Writer.
func (TextWriter) Write(w io.Writer, r *Report, opts Options) error {
	st := newTextStyles(opts.Color)
	var b bytes.Buffer
	// The text report lists what fails the gate; references are counted
	// in the posture summary (and listed in the inventory view).
	failing := Failing(r)
	switch {
	case opts.Inventory:
		writeInventoryView(&b, r, st, opts)
	case len(failing) == 0:
		writeClean(&b, r)
	default:
		writeFindings(&b, failing, st, opts)
		writeTextSummary(&b, r, failing, st)
	}
	writePosture(&b, r, st, opts)
	writeSkipsAndWarnings(&b, r, st, opts)
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write text report: %w", err)
	}
	return nil
}

// indent lines up a finding's detail lines under its title.
const indent = "             "

func writeFindings(b *bytes.Buffer, findings []classify.Finding, st textStyles, opts Options) {
	var order []string
	groups := map[string][]classify.Finding{}
	for _, f := range findings {
		h := textHeading(f)
		if _, ok := groups[h]; !ok {
			order = append(order, h)
		}
		groups[h] = append(groups[h], f)
	}
	for i, h := range order {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintln(b, st.heading.Render(printable(h)))
		for _, f := range groups[h] {
			writeFinding(b, f, st, opts)
		}
	}
	b.WriteString("\n")
}

func writeFinding(b *bytes.Buffer, f classify.Finding, st textStyles, opts Options) {
	rule := ruleOf(f)
	fmt.Fprintf(b, "  %s %s  %s\n", st.severity(rule.Severity), printable(rule.Title), st.dim.Render(fmt.Sprintf("%d:%d", f.Line, f.Column)))
	shown := secretText(f.Secret, opts)
	if f.Reference != nil {
		shown = f.Reference.Target // a name, not a value
	}
	detail := []string{printable(flatten(shown)), string(f.Class)}
	if f.Decoded != "" {
		detail = append(detail, "decoded from "+f.Decoded)
	}
	if len(f.NHI) > 0 {
		detail = append(detail, strings.Join(f.NHI, " "))
	}
	fmt.Fprintf(b, "%s%s\n", indent, strings.Join(detail, "  "))
	o := originOf(f)
	if g := o.Git; g != nil {
		parts := []string{"commit " + shortSHA(g.Commit)}
		if g.Author != "" {
			parts = append(parts, printable(g.Author))
		}
		if !g.Date.IsZero() {
			parts = append(parts, g.Date.UTC().Format("2006-01-02"))
		}
		if historyOnly(f) {
			parts = append(parts, st.warn.Render("history only"))
		}
		if strings.Contains(f.Evidence, classify.MigratedNote) {
			parts = append(parts, st.warn.Render(classify.MigratedNote))
		}
		fmt.Fprintf(b, "%s%s\n", indent, strings.Join(parts, "  "))
	}
	if im := o.Image; im != nil {
		line := imagePlace(im)
		if im.CreatedBy != "" {
			line += "  " + printable(im.CreatedBy)
		}
		if d := imageDeleted(im); d != "" {
			line += "  " + st.warn.Render(d)
		}
		fmt.Fprintf(b, "%s%s\n", indent, st.dim.Render(line))
	}
}

// textHeading names the place a finding is in: a path, plus the image or
// the CI variable when the path alone does not say where to look.
func textHeading(f classify.Finding) string {
	o := originOf(f)
	switch {
	case o.Image != nil:
		return fmt.Sprintf("%s (image %s)", o.Path, o.Image.Reference)
	case o.CI != nil:
		return ciHeading(o.Path, o.CI)
	case o.Path == "" && o.Git != nil:
		return "commit message"
	case o.Path == "":
		return string(o.Source)
	}
	return o.Path
}

// ciHeading names a CI variable: "gitlab project acme/app variable
// KUBECONFIG (environment production)". The path is added only when it
// says more than that (a walker's own "platform:scope#name" path does not).
func ciHeading(path string, ci *sources.CIOrigin) string {
	kind := "variable"
	if ci.NameOnly && ci.Platform == "github" {
		kind = "secret"
	}
	scope := ci.Scope
	if ci.Level != "" && ci.Level != ci.Scope {
		scope = ci.Level + " " + ci.Scope
	}
	h := fmt.Sprintf("%s %s %s %s", ci.Platform, scope, kind, ci.Variable)
	if ci.Environment != "" {
		h += " (environment " + ci.Environment + ")"
	}
	if path != "" && path != ci.Variable && !strings.HasPrefix(path, ci.Platform+":") {
		h = path + ": " + h
	}
	return h
}

// printable makes text from scanned content safe for a terminal: control
// characters (escape sequences in a file name or commit author could
// otherwise restyle or rewrite the screen) are shown escaped.
func printable(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
