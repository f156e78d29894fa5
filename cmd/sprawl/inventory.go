package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// postureOptions are the flags of classification, the inventory and the
// gate, shared by every scanning command and by merge.
type postureOptions struct {
	FailOn    string
	MaxAge    string
	Inventory bool
	Service   string
}

func addPostureFlags(f *pflag.FlagSet, p *postureOptions) {
	f.StringVar(&p.FailOn, "fail-on", "unmanaged", "class that fails the scan: unmanaged, or externalized (unmanaged and externalized)")
	f.StringVar(&p.MaxAge, "max-age", "90d", "rotation policy: secrets first seen longer ago and still present are NHI7 (e.g. 90d, 12w, 720h)")
	f.BoolVar(&p.Inventory, "inventory", false, "text report: one entry per credential with all its locations, instead of one per place")
	f.StringVar(&p.Service, "service", "", "name of the scanned repository or service in the inventory (default: the first target's folder name)")
}

// policy reads the posture flags.
func (p postureOptions) policy() (failOn classify.Class, maxAge time.Duration, err error) {
	failOn, ok := classify.ParseClass(p.FailOn)
	if !ok || failOn == classify.Managed {
		return "", 0, fmt.Errorf("--fail-on must be unmanaged or externalized, not %q", p.FailOn)
	}
	if maxAge, err = parseAge(p.MaxAge); err != nil {
		return "", 0, fmt.Errorf("--max-age: %w", err)
	}
	return failOn, maxAge, nil
}

// parseAge reads durations with day and week units, which Go's
// time.ParseDuration lacks and rotation policies are written in.
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("invalid age %q (use e.g. 90d, 12w or 720h)", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("invalid age %q (use e.g. 90d, 12w or 720h)", s)
	}
	return d, nil
}

// serviceName is what the inventory calls the scanned place: --service,
// else the folder name of the first target (a checkout's name is usually
// its repository's), else the target as given.
func serviceName(p postureOptions, targets []string) string {
	if p.Service != "" {
		return p.Service
	}
	if len(targets) == 0 {
		return ""
	}
	t := targets[0]
	if abs, err := filepath.Abs(t); err == nil {
		if _, err := os.Stat(abs); err == nil {
			return filepath.Base(abs)
		}
	}
	return t
}

// NewCmdInventory prints the grouped view of JSON reports: one entry per
// credential, with every location, lifecycle, owners and NHI risks.
func NewCmdInventory(ios *IOStreams, g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "inventory REPORT.json...",
		Short: "Print the credential inventory of one or more JSON reports",
		Long: `Print one entry per credential (a secret, or a referenced secret) with every
place it occurs, when it first appeared, who owns it and the OWASP NHI risks it
shows. Reports from separate scans are merged first, so a secret reused across
repositories is one credential (NHI9). To get this view while scanning, add
--inventory to a scan command.`,
		Example: `  sprawl dir . --format json -o app.json && sprawl inventory app.json
  sprawl inventory reports/*.json --max-age 30d`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g.Posture.Inventory = true
			return runMerge(ios, g, args)
		},
	}
}
