// Package rules embeds the rule set: one YAML file per provider, each rule
// with examples that must match and counter-examples that must not.
package rules

import "embed"

// FS holds every rule file.
//
//go:embed *.yaml
var FS embed.FS
