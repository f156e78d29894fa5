// Package github reads GitHub Actions configuration through the REST API
// (github.com or GitHub Enterprise Server): variables at organisation,
// repository and environment level, whose values are readable plain
// configuration, and the names of Actions secrets, whose values the API
// never returns. Read-only: only GET requests are made.
package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/ciapi"
)

// Platform is the CIOrigin platform of GitHub variables and secrets.
const Platform = "github"

// DefaultURL is github.com's API; GitHub Enterprise Server's is
// https://HOST/api/v3.
const DefaultURL = "https://api.github.com"

// forbiddenHint says what GitHub wants to list variables and secrets.
const forbiddenHint = "a fine-grained token needs read access to Variables, Secrets, Environments and Metadata (organisation Variables and Secrets for an organisation); a classic token needs repo, and admin:org for organisation variables and secrets"

// Options says what to read.
type Options struct {
	URL   string // API root (default https://api.github.com)
	Token string
	// TokenEnv names the variable the token came from (GITHUB_TOKEN or
	// GH_TOKEN), for the message of a 401.
	TokenEnv string
	// Repos are owner/name: repository variables, environments'
	// variables, and repository and environment secret names.
	Repos []string
	// Orgs: organisation variables and secret names, and every
	// repository of the organisation as in Repos.
	Orgs   []string
	Limits sources.Limits
	Stats  *sources.Stats
	// Configure, when set, adjusts the API client (tests replace its
	// clock and sleep).
	Configure func(*ciapi.Client)
}

// Walker lists the chosen repositories' and organisations' Actions
// variables and secret names.
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
	for _, r := range opts.Repos {
		if o, n, ok := strings.Cut(r, "/"); !ok || o == "" || n == "" || strings.Contains(n, "/") {
			return nil, fmt.Errorf("--github-repo %q: want owner/name", r)
		}
	}
	c, err := ciapi.NewClient(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("--github-url: %w", err)
	}
	c.Token, c.TokenEnv, c.ForbiddenHint = opts.Token, opts.TokenEnv, forbiddenHint
	c.Auth = func(h http.Header, token string) { h.Set("Authorization", "Bearer "+token) }
	c.Header.Set("Accept", "application/vnd.github+json")
	c.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if opts.Configure != nil {
		opts.Configure(c)
	}
	return &Walker{opts: opts, client: c}, nil
}

// item is a variable or a secret of a listing; secrets have no value.
type item struct {
	Name       string    `json:"name"`
	Value      *string   `json:"value"`
	UpdatedAt  time.Time `json:"updated_at"`
	Visibility string    `json:"visibility"`
}

// Walk reads every organisation, then every repository (those of the
// organisations and those named), each once. A target that fails is a
// warning; the walk fails only when every target did.
func (w *Walker) Walk(ctx context.Context, emit func(sources.Chunk) error) error {
	t := &ciapi.Targets{Platform: "GitHub", Stats: w.opts.Stats}
	seen := map[string]bool{}
	var repos []string
	for _, org := range w.opts.Orgs {
		base := "/orgs/" + url.PathEscape(org)
		s := scope{level: "organization", name: org, path: org}
		for _, kind := range []string{"variables", "secrets"} {
			if err := t.Do(ctx, "github:org "+org+" ("+kind+")", func() error {
				return w.items(ctx, base+"/actions/"+kind, kind, s, emit)
			}); err != nil {
				return err
			}
		}
		if err := t.Do(ctx, "github:org "+org+" (repositories)", func() error {
			names, err := w.orgRepos(ctx, base)
			for _, n := range names {
				if !seen[strings.ToLower(n)] {
					seen[strings.ToLower(n)] = true
					repos = append(repos, n)
				}
			}
			return err
		}); err != nil {
			return err
		}
	}
	for _, r := range w.opts.Repos {
		if !seen[strings.ToLower(r)] {
			seen[strings.ToLower(r)] = true
			repos = append(repos, r)
		}
	}
	for _, r := range repos {
		if err := t.Do(ctx, "github:repo "+r, func() error { return w.repo(ctx, r, emit) }); err != nil {
			return err
		}
	}
	return t.Err()
}

// scope is where a listing's items are defined.
type scope struct {
	level, name, env string
	path             string // display path before /vars or /secrets
}

// repo reads one repository: its variables and secret names, then each
// environment's. A failed environment is a warning; the repository fails
// when its own listings do.
func (w *Walker) repo(ctx context.Context, full string, emit func(sources.Chunk) error) error {
	owner, name, _ := strings.Cut(full, "/")
	base := "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name)
	s := scope{level: "repository", name: full, path: full}
	for _, kind := range []string{"variables", "secrets"} {
		if err := w.items(ctx, base+"/actions/"+kind, kind, s, emit); err != nil {
			return err
		}
	}
	envs, err := w.environments(ctx, base)
	if err != nil {
		if ciapi.IsStatus(err, http.StatusNotFound) {
			return nil // environments are not available to this repository (plan, visibility)
		}
		return err
	}
	t := &ciapi.Targets{Platform: "GitHub", Stats: w.opts.Stats}
	for _, env := range envs {
		es := scope{level: "environment", name: full, env: env, path: full + "/env/" + env}
		for _, kind := range []string{"variables", "secrets"} {
			if err := t.Do(ctx, "github:repo "+full+" environment "+env+" ("+kind+")", func() error {
				return w.items(ctx, base+"/environments/"+url.PathEscape(env)+"/"+kind, kind, es, emit)
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

var perPage = url.Values{"per_page": {"100"}}

// items lists variables or secrets ({total_count, variables|secrets: [...]})
// and emits each.
func (w *Walker) items(ctx context.Context, path, kind string, s scope, emit func(sources.Chunk) error) error {
	return w.client.List(ctx, path, perPage, func(p ciapi.Page) error {
		page := map[string]json.RawMessage{}
		if err := json.Unmarshal(p.Body, &page); err != nil {
			return fmt.Errorf("malformed %s list: %w", kind, err)
		}
		var list []item
		if raw, ok := page[kind]; ok {
			if err := json.Unmarshal(raw, &list); err != nil {
				return fmt.Errorf("malformed %s list: %w", kind, err)
			}
		}
		for _, it := range list {
			if it.Name == "" {
				continue
			}
			o := w.origin(it, kind, s)
			if err := ciapi.EmitValue(it.Value, o, w.opts.Limits, w.opts.Stats, emit); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *Walker) origin(it item, kind string, s scope) *sources.Origin {
	store := "vars"
	if kind == "secrets" {
		store = "secrets"
	}
	return &sources.Origin{Source: sources.KindCI, Path: Platform + ":" + s.path + "/" + store + "#" + it.Name, CI: &sources.CIOrigin{
		Platform:    Platform,
		Scope:       s.name,
		Level:       s.level,
		Variable:    it.Name,
		Environment: s.env,
		// Secrets never come with a value; a variable always does.
		NameOnly:   kind == "secrets",
		Visibility: it.Visibility,
		UpdatedAt:  it.UpdatedAt,
	}}
}

// environments lists a repository's deployment environments.
func (w *Walker) environments(ctx context.Context, base string) ([]string, error) {
	var out []string
	err := w.client.List(ctx, base+"/environments", perPage, func(p ciapi.Page) error {
		var page struct {
			Environments []struct {
				Name string `json:"name"`
			} `json:"environments"`
		}
		if err := json.Unmarshal(p.Body, &page); err != nil {
			return fmt.Errorf("malformed environment list: %w", err)
		}
		for _, e := range page.Environments {
			if e.Name != "" {
				out = append(out, e.Name)
			}
		}
		return nil
	})
	return out, err
}

// orgRepos lists an organisation's repositories (owner/name), archived
// ones included: their variables and secrets still exist.
func (w *Walker) orgRepos(ctx context.Context, base string) ([]string, error) {
	var out []string
	q := url.Values{"per_page": {"100"}, "type": {"all"}}
	err := w.client.List(ctx, base+"/repos", q, func(p ciapi.Page) error {
		var page []struct {
			FullName string `json:"full_name"`
		}
		if err := json.Unmarshal(p.Body, &page); err != nil {
			return fmt.Errorf("malformed repository list: %w", err)
		}
		for _, r := range page {
			if o, n, ok := strings.Cut(r.FullName, "/"); ok && o != "" && n != "" {
				out = append(out, r.FullName)
			}
		}
		return nil
	})
	return out, err
}
