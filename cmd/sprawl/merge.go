package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/report"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// NewCmdMerge combines JSON reports of separate scans into one report and
// inventory, so reuse across repositories (NHI9) is found without one
// machine scanning everything.
func NewCmdMerge(ios *IOStreams, g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "merge REPORT.json...",
		Short: "Combine JSON reports from separate scans into one inventory",
		Long: `Combine JSON reports written by separate scans (one per repository, image or CI
project, run as parallel jobs anywhere) into one report. Occurrences of one
secret in several reports become one credential, so reuse across repositories
(NHI9) and across environments (NHI8) shows up. Every report must have been
written with the same SPRAWL_FINGERPRINT_KEY. The exit status follows
--fail-on, like a scan.`,
		Example: `  sprawl merge billing.json search.json web.json
  sprawl merge reports/*.json --format json -o merged.json
  sprawl merge reports/*.json --inventory`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(ios, g, args)
		},
	}
}

func runMerge(ios *IOStreams, g *globalOptions, paths []string) error {
	writer, err := report.Lookup(g.Format)
	if err != nil {
		return err
	}
	failOn, maxAge, err := g.Posture.policy()
	if err != nil {
		return err
	}
	key := []byte(report.DefaultFingerprintKey)
	if k := ios.Getenv(report.FingerprintKeyEnv); k != "" {
		key = []byte(k)
	}
	var (
		all     []classify.Finding
		targets []string
		stats   = sources.Snapshot{Skipped: map[string]int{}}
		keyID   = report.FingerprintKeyID(key)
		started time.Time
		elapsed time.Duration
	)
	for _, p := range paths {
		jr, err := report.ReadJSON(p)
		if err != nil {
			return err
		}
		// Credential ids are keyed hashes: ids made with another key
		// never match, which would hide every reuse.
		if jr.FingerprintKeyID != "" && jr.FingerprintKeyID != keyID {
			return fmt.Errorf("report %s was written with another fingerprint key (set %s as it was for that scan)", p, report.FingerprintKeyEnv)
		}
		all = append(all, jr.Occurrences(serviceName(postureOptions{}, jr.Targets))...)
		targets = append(targets, jr.Targets...)
		stats.Items += jr.Summary.ItemsScanned
		stats.Bytes += jr.Summary.BytesScanned
		for k, v := range jr.Summary.Skipped {
			stats.Skipped[k] += v
		}
		stats.Warnings = append(stats.Warnings, jr.Summary.Warnings...)
		elapsed += time.Duration(jr.ElapsedMS) * time.Millisecond // scan time, summed over the jobs
		if t, err := time.Parse(time.RFC3339, jr.Started); err == nil && (started.IsZero() || t.Before(started)) {
			started = t
		}
	}
	inv := classify.BuildInventory(all, classify.Policy{Key: key, MaxAge: maxAge, Now: time.Now()})
	findings, refs := splitByClass(all)
	rep := &report.Report{
		Tool:       report.Tool{Name: "sprawl", Version: version, URI: "https://github.com/sprawl-sec/sprawl"},
		Command:    "merge",
		Targets:    targets,
		Findings:   findings,
		References: refs,
		Inventory:  inv,
		FailOn:     failOn,
		Stats:      stats,
		Started:    started,
		Elapsed:    elapsed,
	}
	// Merged reports may hold values in full (a report written with
	// --no-redact); they are redacted again unless --no-redact is given.
	ropts := report.Options{Redact: !g.NoRedact, Verbose: g.Verbose, FingerprintKey: key, Inventory: g.Posture.Inventory}
	if err := writeReport(ios, g, writer, rep, ropts); err != nil {
		return err
	}
	if n := len(report.Failing(rep)); n > 0 {
		return &findingsError{count: n, code: g.ExitCode}
	}
	return nil
}

// splitByClass separates leaks (unmanaged) from references, keeping
// order; both go to the report, only the first are findings.
func splitByClass(all []classify.Finding) (findings, refs []classify.Finding) {
	for _, f := range all {
		if f.Class == classify.Unmanaged {
			findings = append(findings, f)
		} else {
			refs = append(refs, f)
		}
	}
	sortOccurrences(findings)
	sortOccurrences(refs)
	return findings, refs
}

func sortOccurrences(fs []classify.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Origin, fs[j].Origin
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return fs[i].Offset < fs[j].Offset
	})
}
