package detect

import (
	"bytes"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Config is the .sprawl.yaml file: extra rules, disabled rules and an
// allowlist.
type Config struct {
	// Rules are added to the built-in set (an id that exists replaces it).
	Rules []*Rule `yaml:"rules"`
	// Disable lists rule ids to drop.
	Disable []string `yaml:"disable"`
	// Allow is the global allowlist.
	Allow Allowlist `yaml:"allow"`
}

// LoadConfig reads a config file.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("parse config %s: %w", path, err)
	}
	for i, r := range c.Rules {
		if r == nil {
			return nil, fmt.Errorf("config %s: rule %d is empty", path, i+1)
		}
		if err := r.Compile(); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	return &c, nil
}

// Apply merges the config's rules into base: added, replaced, disabled.
// extraIDs are ids of findings made outside the rule set (the classifier's
// literal fallback) that the config may also disable.
func (c *Config) Apply(base []*Rule, extraIDs ...string) ([]*Rule, error) {
	byID := map[string]int{}
	out := append([]*Rule(nil), base...)
	for i, r := range out {
		byID[r.ID] = i
	}
	for _, r := range c.Rules {
		if i, ok := byID[r.ID]; ok {
			out[i] = r
		} else {
			byID[r.ID] = len(out)
			out = append(out, r)
		}
	}
	drop := map[string]bool{}
	extra := map[string]bool{}
	for _, id := range extraIDs {
		extra[id] = true
	}
	for _, id := range c.Disable {
		if _, ok := byID[id]; !ok && !extra[id] {
			return nil, fmt.Errorf("disable: unknown rule %q", id)
		}
		drop[id] = true
	}
	// A disabled rule keeps running as a silencer: without it, fallback
	// rules would report the same secrets under a generic name.
	for i, r := range out {
		if drop[r.ID] {
			silent := *r
			silent.silencer = true
			out[i] = &silent
		}
	}
	return out, nil
}

// Disabled reports whether the config turned the rule off.
func (r *Rule) Disabled() bool { return r.silencer }
