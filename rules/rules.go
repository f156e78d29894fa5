// Package rules embeds the rule set: one YAML file per provider, each rule
// with examples that must match and counter-examples that must not.
package rules

import "embed"

//go:generate go run gen_snapshot.go

// FS holds every rule file.
//
//go:embed *.yaml
var FS embed.FS

// References holds the reference patterns (rules/references/*.yaml): the
// forms that make a value managed or externalized. It is a separate file
// system so that detect.LoadRules(FS) never sees them.
//
//go:embed references/*.yaml
var References embed.FS

// ReferencesSnapshot is the reference data as scans load it: the files of
// references/ without their examples, as JSON (see
// classify.LoadReferencesSnapshot).
//
//go:embed references.json
var ReferencesSnapshot []byte

// Snapshot is the rule set as scans load it: the YAML files' rules
// without their examples, as JSON (see detect.LoadRulesSnapshot).
//
//go:embed snapshot.json
var Snapshot []byte
