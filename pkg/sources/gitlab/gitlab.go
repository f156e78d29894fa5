// Package gitlab reads CI/CD variables through the GitLab REST API
// (gitlab.com or a self-managed instance): project, group and instance
// variables, with their masked, hidden, protected, raw, type and
// environment-scope settings. Each variable is one item; a file variable's
// content is scanned like a file. Read-only: only GET requests are made.
package gitlab

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/ciapi"
)

// Platform is the CIOrigin platform of GitLab variables.
const Platform = "gitlab"

// DefaultURL is gitlab.com; a self-managed instance is its own root URL.
const DefaultURL = "https://gitlab.com"

// TokenEnv is the environment variable the token is read from.
const TokenEnv = "GITLAB_TOKEN"

// forbiddenHint says what GitLab wants to list variables.
const forbiddenHint = "listing CI/CD variables needs the Maintainer role on a project, Owner on a group, administrator for instance variables, and a token with the read_api scope"

// Options says what to read.
type Options struct {
	// URL is the instance's root (default https://gitlab.com); the API
	// is under /api/v4.
	URL   string
	Token string
	// Projects are numeric ids or full paths (group/sub/project).
	Projects []string
	// Groups are numeric ids or full paths: their variables, and every
	// project in them and their subgroups.
	Groups []string
	// Instance reads the instance-level variables (administrators only).
	Instance bool
	Limits   sources.Limits
	Stats    *sources.Stats
	// Configure, when set, adjusts the API client (tests replace its
	// clock and sleep).
	Configure func(*ciapi.Client)
}

// Walker lists the variables of the chosen projects, groups and instance.
type Walker struct {
	opts   Options
	client *ciapi.Client
}

// New checks the options; nothing is requested until Walk.
func New(opts Options) (*Walker, error) {
	if opts.URL == "" {
		opts.URL = DefaultURL
	}
	if opts.Stats == nil {
		opts.Stats = sources.NewStats()
	}
	c, err := ciapi.NewClient(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("--gitlab-url: %w", err)
	}
	c.Base = c.Base.JoinPath("api", "v4")
	c.Token, c.TokenEnv, c.ForbiddenHint = opts.Token, TokenEnv, forbiddenHint
	c.Auth = func(h http.Header, token string) { h.Set("PRIVATE-TOKEN", token) }
	c.Header.Set("Accept", "application/json")
	if opts.Configure != nil {
		opts.Configure(c)
	}
	return &Walker{opts: opts, client: c}, nil
}

// variable is one entry of GitLab's variables listings.
type variable struct {
	Key          string  `json:"key"`
	Value        *string `json:"value"` // null for a hidden variable
	VariableType string  `json:"variable_type"`
	Protected    bool    `json:"protected"`
	Masked       bool    `json:"masked"`
	Hidden       bool    `json:"hidden"`
	Raw          bool    `json:"raw"`
	Environment  string  `json:"environment_scope"`
}

type project struct {
	ID   int64  `json:"id"`
	Path string `json:"path_with_namespace"`
}

// Walk reads every target in turn. A target that fails is a warning; the
// walk fails only when every target did.
func (w *Walker) Walk(ctx context.Context, emit func(sources.Chunk) error) error {
	t := &ciapi.Targets{Platform: "GitLab", Stats: w.opts.Stats}
	if w.opts.Instance {
		if err := t.Do(ctx, "gitlab:instance", func() error {
			return w.variables(ctx, "/admin/ci/variables", "instance", "instance", emit)
		}); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	var projects []project
	for _, g := range w.opts.Groups {
		place := "gitlab:group " + g
		if err := t.Do(ctx, place+" (variables)", func() error {
			return w.variables(ctx, "/groups/"+url.PathEscape(g)+"/variables", "group", g, emit)
		}); err != nil {
			return err
		}
		if err := t.Do(ctx, place+" (projects)", func() error {
			ps, err := w.groupProjects(ctx, g)
			for _, p := range ps {
				if !seen[strconv.FormatInt(p.ID, 10)] && !seen[p.Path] {
					seen[strconv.FormatInt(p.ID, 10)], seen[p.Path] = true, true
					projects = append(projects, p)
				}
			}
			return err
		}); err != nil {
			return err
		}
	}
	for _, p := range w.opts.Projects {
		if !seen[p] {
			seen[p] = true
			projects = append(projects, project{Path: p})
		}
	}
	for _, p := range projects {
		id := p.Path
		if p.ID != 0 {
			id = strconv.FormatInt(p.ID, 10)
		}
		if err := t.Do(ctx, "gitlab:project "+p.Path, func() error {
			return w.variables(ctx, "/projects/"+url.PathEscape(id)+"/variables", "project", p.Path, emit)
		}); err != nil {
			return err
		}
	}
	return t.Err()
}

var perPage = url.Values{"per_page": {"100"}}

// groupProjects lists the projects of a group and of its subgroups.
func (w *Walker) groupProjects(ctx context.Context, group string) ([]project, error) {
	var out []project
	q := url.Values{"per_page": {"100"}, "include_subgroups": {"true"}, "simple": {"true"}}
	err := w.client.List(ctx, "/groups/"+url.PathEscape(group)+"/projects", q, func(p ciapi.Page) error {
		var page []project
		if err := json.Unmarshal(p.Body, &page); err != nil {
			return fmt.Errorf("malformed project list: %w", err)
		}
		for _, pr := range page {
			if pr.Path == "" {
				pr.Path = strconv.FormatInt(pr.ID, 10)
			}
			out = append(out, pr)
		}
		return nil
	})
	return out, err
}

// variables lists one scope's variables and emits each.
func (w *Walker) variables(ctx context.Context, path, level, scope string, emit func(sources.Chunk) error) error {
	return w.client.List(ctx, path, perPage, func(p ciapi.Page) error {
		var page []variable
		if err := json.Unmarshal(p.Body, &page); err != nil {
			return fmt.Errorf("malformed variable list: %w", err)
		}
		for _, v := range page {
			if v.Key == "" {
				continue
			}
			if err := ciapi.EmitValue(v.Value, w.origin(v, level, scope), w.opts.Limits, w.opts.Stats, emit); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *Walker) origin(v variable, level, scope string) *sources.Origin {
	env := v.Environment
	if env == "*" {
		env = "" // every environment
	}
	path := Platform + ":" + scope + "#" + v.Key
	if env != "" {
		path += "@" + env
	}
	return &sources.Origin{Source: sources.KindCI, Path: path, CI: &sources.CIOrigin{
		Platform:     Platform,
		Scope:        scope,
		Level:        level,
		Variable:     v.Key,
		Environment:  env,
		NameOnly:     v.Value == nil,
		Masked:       v.Masked,
		Hidden:       v.Hidden,
		Protected:    v.Protected,
		Raw:          v.Raw,
		VariableType: v.VariableType,
	}}
}
