//go:build ignore

// gen_snapshot writes snapshot.json, the rule set as sprawl loads it at
// run time, from the YAML files beside it, and references.json, the
// reference patterns, from references/. Run it with go generate after
// changing a rule or a reference; TestRuleSnapshotIsCurrent and
// TestReferenceSnapshotIsCurrent fail until then.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
)

func main() {
	if err := generate(); err != nil {
		fmt.Fprintln(os.Stderr, "gen_snapshot:", err)
		os.Exit(1)
	}
}

func generate() error {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		return err
	}
	fsys := fstest.MapFS{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		fsys[f] = &fstest.MapFile{Data: data}
	}
	all, err := detect.LoadRules(fsys)
	if err != nil {
		return err
	}
	data, err := detect.MarshalSnapshot(all)
	if err != nil {
		return err
	}
	if err := os.WriteFile("snapshot.json", data, 0o644); err != nil {
		return err
	}
	refs, err := classify.LoadReferences(os.DirFS("references"))
	if err != nil {
		return err
	}
	if data, err = classify.MarshalReferences(refs); err != nil {
		return err
	}
	return os.WriteFile("references.json", data, 0o644)
}
