package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// NewCmdRules lists the active rules; `rules check` explains a sample.
func NewCmdRules(ios *IOStreams, g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rules (id, provider, severity, keywords)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := loadEngine(g, ".", nil)
			if err != nil {
				return err
			}
			return listRules(ios.Out, eng.Rules())
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Show which rules fire on a sample and why (use - for standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := loadEngine(g, ".", nil)
			if err != nil {
				return err
			}
			releaseGC() // the sample may be large
			var data []byte
			if args[0] == "-" {
				data, err = io.ReadAll(ios.In)
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return fmt.Errorf("read sample: %w", err)
			}
			return checkSample(ios.Out, eng, args[0], data, !g.NoRedact)
		},
	})
	return cmd
}

func listRules(w io.Writer, rules []*detect.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPROVIDER\tSEVERITY\tKEYWORDS")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Provider, r.Severity, strings.Join(r.Keywords, ","))
	}
	fmt.Fprintf(tw, "\n%d rules\n", len(rules))
	return tw.Flush()
}

// checkSample prints the engine's reasoning, rule by rule, then the
// findings a real scan would report.
func checkSample(w io.Writer, eng *detect.Engine, name string, data []byte, redact bool) error {
	traces := eng.Check(data)
	if len(traces) == 0 {
		fmt.Fprintf(w, "no rule's keywords occur in %s\n", name)
		return nil
	}
	if redact {
		fmt.Fprintln(w, "(matched text hidden; add --no-redact to see it)")
	}
	last := ""
	for _, t := range traces {
		if t.RuleID != last {
			fmt.Fprintf(w, "%s\n", t.RuleID)
			last = t.RuleID
		}
		detail := t.Detail
		if redact {
			detail = stageSummary(t)
		}
		fmt.Fprintf(w, "  %-8s %s\n", t.Stage, detail)
	}
	findings := eng.Scan(sources.Chunk{Data: data, Origin: &sources.Origin{Source: sources.KindFile, Path: name}, StartLine: 1})
	fmt.Fprintf(w, "\n%d finding(s) after overlap resolution:\n", len(findings))
	for _, f := range findings {
		fmt.Fprintf(w, "  %s line %d col %d entropy %.2f%s\n", f.Rule.ID, f.Line, f.Column, f.Entropy, decodedNote(f.Decoded))
	}
	return nil
}

// stageSummary keeps the parts of a trace that carry no secret text.
func stageSummary(t detect.Trace) string {
	switch t.Stage {
	case "regex":
		return "pattern matched"
	case "keyword":
		if i := strings.Index(t.Detail, ","); i > 0 {
			return t.Detail[:i]
		}
	}
	return t.Detail
}

func decodedNote(d string) string {
	if d == "" {
		return ""
	}
	return " (decoded from " + d + ")"
}
