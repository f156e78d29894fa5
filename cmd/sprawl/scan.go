package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/humanize"
	"github.com/sprawl-sec/sprawl/pkg/report"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/rules"
)

// scanJob is what a scanning command hands to runScan.
type scanJob struct {
	command string
	targets []string
	// configRoot is where .sprawl.yaml is looked for when --config is not
	// given.
	configRoot string
	// newSource builds the walker once the engine (and so the path
	// allowlist) exists.
	newSource func(eng *detect.Engine, lim sources.Limits, st *sources.Stats) sources.Source
	// scan, when set, replaces newSource and the collect step, for a
	// source that must see what was found as it goes: git history carries
	// matches from a delta's base to the blobs built on it and reports
	// each once per commit that introduced it.
	scan func(ctx context.Context, eng *detect.Engine, cls *classify.Classifier, lim sources.Limits, st *sources.Stats) collected
	// progress is what the progress line asks for totals while scan runs
	// (see totaler in progress.go); nil when nothing is known.
	progress any
	// pipelineOf names the CI platform of files whose names do not say
	// it (GitLab local includes); see classify.Options.PipelineOf.
	pipelineOf func(path string) classify.Platform
	// hideValues writes reports without any part of a secret (sprawl
	// env): see report.Options.HideValues.
	hideValues bool
}

// builtins is the embedded data every scan starts from.
type builtins struct {
	rules []*detect.Rule
	refs  *classify.Set
}

// loadBuiltins loads the embedded rules and reference patterns once per
// process, the two side by side. A command with work of its own before
// its scan (the staged check reads the git index first) starts it in the
// background with preloadBuiltins, and the scan then finds it done.
var loadBuiltins = sync.OnceValues(func() (builtins, error) {
	var (
		b      builtins
		refErr error
		loaded = make(chan struct{})
	)
	go func() {
		defer close(loaded)
		b.refs, refErr = classify.LoadReferencesSnapshot(rules.ReferencesSnapshot)
	}()
	var err error
	b.rules, err = detect.LoadRulesSnapshot(rules.Snapshot)
	<-loaded
	switch {
	case err != nil:
		return b, fmt.Errorf("load built-in rules: %w", err)
	case refErr != nil:
		return b, fmt.Errorf("load reference patterns: %w", refErr)
	}
	return b, nil
})

func preloadBuiltins() { go loadBuiltins() }

// loadEngine builds the rule set: embedded rules, then the config file.
// extra lists keywords the engine finds for the classifier (see
// detect.Options.Extra); nil when nothing is classified.
func loadEngine(g *globalOptions, configRoot string, extra []string) (*detect.Engine, error) {
	b, err := loadBuiltins()
	if err != nil {
		return nil, err
	}
	builtin := b.rules
	cfgPath := g.ConfigPath
	if cfgPath == "" && configRoot != "" {
		candidate := filepath.Join(configRoot, ".sprawl.yaml")
		if _, err := os.Stat(candidate); err == nil {
			cfgPath = candidate
		}
	}
	active := builtin
	allow := &detect.Allowlist{}
	var disabled []string
	if cfgPath != "" {
		cfg, err := detect.LoadConfig(cfgPath)
		if err != nil {
			return nil, err
		}
		if active, err = cfg.Apply(builtin, classify.LiteralRuleID); err != nil {
			return nil, fmt.Errorf("config %s: %w", cfgPath, err)
		}
		allow = &cfg.Allow
		disabled = cfg.Disable
	}
	active = slices.Clone(active) // the built-in list is shared by every scan of the process
	sort.Slice(active, func(i, j int) bool { return active[i].ID < active[j].ID })
	return detect.NewEngine(active, detect.Options{Allow: allow, Decode: !g.NoDecode, Disabled: disabled, Extra: extra})
}

// runScan wires source -> detect -> classify -> report for one command.
func runScan(ctx context.Context, ios *IOStreams, g *globalOptions, job scanJob) error {
	writer, err := report.Lookup(g.Format)
	if err != nil {
		return err
	}
	maxSize, err := parseSize(g.MaxFileSize)
	if err != nil {
		return fmt.Errorf("--max-file-size: %w", err)
	}
	if g.Threads < 1 {
		return fmt.Errorf("--threads must be at least 1")
	}
	b, err := loadBuiltins()
	if err != nil {
		return err
	}
	refSet := b.refs
	// The engine also finds the classifier's keywords, in the same pass
	// over each chunk as its own (see scanChunk).
	eng, err := loadEngine(g, job.configRoot, classify.ReferenceKeywords(refSet))
	if err != nil {
		return err
	}
	failOn, maxAge, err := g.Posture.policy()
	if err != nil {
		return err
	}
	cls := classify.NewFromSet(refSet, classify.Options{
		Recognised: eng.Recognises,
		SkipLiteral: func(ruleID, value string) bool {
			return eng.Disabled(ruleID) || eng.FallbackAllowlisted(value) != ""
		},
		PipelineOf: job.pipelineOf,
	})
	releaseGC() // set up: from here on the heap holds what scans find
	key := []byte(report.DefaultFingerprintKey)
	if k := ios.Getenv(report.FingerprintKeyEnv); k != "" {
		key = []byte(k)
	}
	var baseline report.Baseline
	if g.Baseline != "" {
		if baseline, err = report.LoadBaseline(g.Baseline); err != nil {
			return err
		}
		if err := baseline.CheckKey(key); err != nil {
			return err
		}
	}

	stats := sources.NewStats()
	if g.Verbose && !g.Quiet {
		stats.OnWarning = func(w sources.Warning) {
			fmt.Fprintf(ios.ErrOut, "warning: %s: %s\n", w.Place, w.Message)
		}
	}
	// collectFindings is done with each chunk when its callback returns.
	lim := sources.Limits{MaxSize: maxSize, Reuse: true}

	started := time.Now()
	var found collected
	if job.scan != nil {
		stopProgress := startProgress(ios, g, job.command, job.progress, stats)
		found = job.scan(ctx, eng, cls, lim, stats)
		stopProgress()
	} else {
		src := job.newSource(eng, lim, stats)
		stopProgress := startProgress(ios, g, job.command, src, stats)
		found = collectFindings(ctx, src, eng, cls)
		stopProgress()
	}
	if err := found.err; err != nil {
		return err
	}
	elapsed := time.Since(started)

	snap := stats.Snapshot()
	if (snap.Items == 0 || snap.Bytes == 0) && snap.Answered == 0 {
		return &nothingScannedError{reason: nothingReason(snap, job.targets)}
	}

	// The inventory sees every occurrence, baselined or not: a baseline
	// hides known findings from the gate, not from the spread count.
	inv := classify.BuildInventory(found.findings, classify.Policy{Key: key, MaxAge: maxAge, Now: time.Now(),
		Scope: serviceName(g.Posture, job.targets), CodeOwners: found.codeOwners})
	classified, refs := splitByClass(found.findings)
	classified, baselined := baseline.Filter(classified, key)
	refs, refsBaselined := baseline.Filter(refs, key)
	rep := &report.Report{
		Tool:       report.Tool{Name: "sprawl", Version: version, URI: "https://github.com/sprawl-sec/sprawl"},
		Command:    job.command,
		Targets:    job.targets,
		Findings:   classified,
		References: refs,
		Inventory:  inv,
		FailOn:     failOn,
		Rules:      eng.Rules(),
		Stats:      snap,
		Started:    started,
		Elapsed:    elapsed,
		Baselined:  baselined + refsBaselined,
	}
	ropts := report.Options{
		Redact:         !g.NoRedact,
		HideValues:     job.hideValues,
		Verbose:        g.Verbose,
		FingerprintKey: key,
		Inventory:      g.Posture.Inventory,
	}
	if err := writeReport(ios, g, writer, rep, ropts); err != nil {
		return err
	}
	if n := len(report.Failing(rep)); n > 0 {
		return &findingsError{count: n, code: g.ExitCode}
	}
	return nil
}

// scanChunk detects and classifies one chunk: one keyword pass finds both
// the rules' and the classifier's keywords.
func scanChunk(eng *detect.Engine, cls *classify.Classifier, c sources.Chunk) classify.ChunkResult {
	found, refHits := eng.ScanWithExtra(c)
	return cls.ChunkWithHits(c, found, refHits)
}

type collected struct {
	findings   []classify.Finding
	codeOwners *classify.CodeOwners
	err        error
}

// collectFindings runs the walk; workers scan their own chunks, classify
// them with the chunk in hand (references, keys, literals) and hand each
// chunk's occurrences over whole. The result is sorted so that output
// does not depend on scheduling.
func collectFindings(ctx context.Context, src sources.Source, eng *detect.Engine, cls *classify.Classifier) collected {
	var (
		mu      sync.Mutex
		all     []classify.Finding
		seen    = map[dedupKey]bool{}
		owners  *classify.CodeOwners
		ownerAt time.Time
	)
	err := src.Walk(ctx, func(c sources.Chunk) error {
		res := scanChunk(eng, cls, c)
		if len(res.Findings) == 0 && res.CodeOwners == nil {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if res.CodeOwners != nil {
			// The current CODEOWNERS wins: a file beats any commit, a
			// later commit beats an earlier one.
			at := time.Unix(1<<40, 0)
			if c.Origin != nil && c.Origin.Git != nil && !c.Origin.Git.PresentAtHEAD {
				at = c.Origin.Git.Date
			}
			if owners == nil || at.After(ownerAt) {
				owners, ownerAt = res.CodeOwners, at
			}
		}
		for _, f := range res.Findings {
			// Chunks of one input overlap a little; a secret in the
			// overlap is found twice at the same offset.
			k := dedupKey{origin: f.Origin, rule: f.Rule.ID, offset: f.Offset, decoded: f.Decoded}
			if seen[k] {
				continue
			}
			seen[k] = true
			all = append(all, f)
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return collected{err: err}
	}
	if err := ctx.Err(); err != nil {
		return collected{err: fmt.Errorf("interrupted")}
	}
	sortFindings(all)
	return collected{findings: all, codeOwners: owners}
}

// sortFindings orders findings by path, then position, then rule, so
// that output does not depend on scheduling.
func sortFindings(all []classify.Finding) {
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Origin.Path != b.Origin.Path {
			return a.Origin.Path < b.Origin.Path
		}
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return a.Rule.ID < b.Rule.ID
	})
}

type dedupKey struct {
	origin  *sources.Origin
	rule    string
	offset  int64
	decoded string
}

func nothingReason(s sources.Snapshot, targets []string) string {
	var parts []string
	for reason, n := range s.Skipped {
		parts = append(parts, fmt.Sprintf("%d %s", n, reason))
	}
	sort.Strings(parts)
	msg := fmt.Sprintf("no readable content in %s", strings.Join(targets, ", "))
	if s.Items > 0 {
		msg = fmt.Sprintf("%d item(s) read but all were empty in %s", s.Items, strings.Join(targets, ", "))
	}
	if len(parts) > 0 {
		msg += " (skipped: " + strings.Join(parts, ", ") + ")"
	}
	for _, w := range s.Warnings {
		msg += fmt.Sprintf("\n  %s: %s", w.Place, w.Message)
	}
	return msg
}

// writeReport writes to --output (mode 0600) or standard output, and in
// the file case tells the user where the report went.
func writeReport(ios *IOStreams, g *globalOptions, w report.Writer, rep *report.Report, opts report.Options) error {
	if g.OutputPath == "" {
		opts.Color = g.Format == "text" && ios.OutTTY && !g.NoColor && ios.Getenv("NO_COLOR") == ""
		return w.Write(ios.Out, rep, opts)
	}
	f, err := report.CreateFile(g.OutputPath)
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	if err := w.Write(f, rep, opts); err != nil {
		f.Close()
		return fmt.Errorf("write report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if !g.Quiet {
		summarize(ios.ErrOut, rep, g.OutputPath)
	}
	return nil
}

func summarize(w io.Writer, rep *report.Report, path string) {
	fmt.Fprintf(w, "sprawl: %d finding(s) in %s item(s), %s scanned in %s; report written to %s\n",
		len(rep.Findings), humanize.Count(rep.Stats.Items), humanize.Bytes(rep.Stats.Bytes), rep.Elapsed.Round(time.Millisecond), path)
}

// parseSize reads sizes like 1048576, 512KB, 50MB, 2GB (powers of 1024).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q (use e.g. 50MB, 512KB or 0 for no limit)", s)
	}
	return n * mult, nil
}
