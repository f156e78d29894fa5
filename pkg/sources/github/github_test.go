package github

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/ciapi/ciapitest"
)

const testToken = "ghp_testtokentesttokentesttokentest0000"

var testNow = time.Unix(1_700_000_000, 0)

// fakeGitHub serves the documented shapes of the Actions variables,
// secrets, environments and organisation repositories endpoints.
type fakeGitHub struct {
	t      *testing.T
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		ciapitest.JSON(w, 401, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		return
	}
	if r.Header.Get("Accept") != "application/vnd.github+json" || r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" {
		f.t.Errorf("%s: missing GitHub API headers: %v", r.URL, r.Header)
	}
	if r.Method != http.MethodGet {
		f.t.Errorf("%s %s: the walker must only read", r.Method, r.URL)
	}
	key := r.URL.EscapedPath()
	if p := r.URL.Query().Get("page"); p != "" && p != "1" {
		key += "?page=" + p
	}
	f.mu.Lock()
	h := f.routes[key]
	f.mu.Unlock()
	if h == nil {
		ciapitest.JSON(w, 404, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
		return
	}
	h(w, r)
}

func variables(list ...map[string]any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ciapitest.JSON(w, 200, map[string]any{"total_count": len(list), "variables": list})
	}
}

func secrets(names ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var list []map[string]any
		for _, n := range names {
			list = append(list, map[string]any{"name": n, "created_at": "2019-08-10T14:59:22Z", "updated_at": "2020-01-10T14:59:22Z"})
		}
		ciapitest.JSON(w, 200, map[string]any{"total_count": len(list), "secrets": list})
	}
}

func variable(name, value string) map[string]any {
	return map[string]any{"name": name, "value": value, "created_at": "2019-08-10T14:59:22Z", "updated_at": "2020-01-10T14:59:22Z"}
}

func environments(names ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var list []map[string]any
		for i, n := range names {
			list = append(list, map[string]any{"id": i + 1, "name": n, "url": "https://api.github.com/x"})
		}
		ciapitest.JSON(w, 200, map[string]any{"total_count": len(list), "environments": list})
	}
}

func newWalker(t *testing.T, srv *httptest.Server, opts Options) (*Walker, *sources.Stats, *ciapitest.Sleeps) {
	t.Helper()
	sleeps := &ciapitest.Sleeps{}
	opts.URL, opts.Token, opts.TokenEnv, opts.Stats = srv.URL, testToken, "GITHUB_TOKEN", sources.NewStats()
	opts.Configure = sleeps.Configure(testNow)
	w, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return w, opts.Stats, sleeps
}

func TestOrgScanReadsVariablesSecretNamesEnvironmentsAndEveryRepo(t *testing.T) {
	f := &fakeGitHub{t: t}
	srv := httptest.NewServer(f)
	defer srv.Close()
	f.routes = map[string]http.HandlerFunc{
		"/orgs/acme/actions/variables": func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 200, map[string]any{"total_count": 1, "variables": []any{map[string]any{
				"name": "ORG_API_KEY", "value": "v", "visibility": "all", "created_at": "2019-08-10T14:59:22Z", "updated_at": "2020-01-10T14:59:22Z"}}})
		},
		"/orgs/acme/actions/secrets": secrets("NPM_TOKEN"),
		"/orgs/acme/repos": func(w http.ResponseWriter, r *http.Request) {
			next := srv.URL + "/orgs/acme/repos?per_page=100&type=all&page=2"
			ciapitest.JSON(w, 200, []any{map[string]any{"id": 1, "name": "api", "full_name": "acme/api"}},
				"Link", `<`+next+`>; rel="next", <`+next+`>; rel="last"`)
		},
		"/orgs/acme/repos?page=2": func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 200, []any{map[string]any{"id": 2, "name": "web", "full_name": "acme/web"}})
		},
		"/repos/acme/api/actions/variables": func(w http.ResponseWriter, r *http.Request) {
			next := srv.URL + "/repos/acme/api/actions/variables?per_page=100&page=2"
			ciapitest.JSON(w, 200, map[string]any{"total_count": 2, "variables": []any{variable("REGION", "eu-west-1")}},
				"Link", `<`+next+`>; rel="next"`)
		},
		"/repos/acme/api/actions/variables?page=2":              variables(variable("DEPLOY_KEY", "secret-ish")),
		"/repos/acme/api/actions/secrets":                       secrets("DB_PASSWORD"),
		"/repos/acme/api/environments":                          environments("production", "staging area"),
		"/repos/acme/api/environments/production/variables":     variables(variable("PROD_TOKEN", "t")),
		"/repos/acme/api/environments/production/secrets":       secrets("PROD_DB_PASSWORD"),
		"/repos/acme/api/environments/staging%20area/variables": variables(),
		"/repos/acme/api/environments/staging%20area/secrets":   secrets("STAGING_KEY"),
		// acme/web has no environments: GitHub answers 404 there on some plans.
		"/repos/acme/web/actions/variables": variables(),
		"/repos/acme/web/actions/secrets":   secrets(),
	}
	w, st, _ := newWalker(t, srv, Options{Orgs: []string{"acme"}, Repos: []string{"ACME/api"}})
	chunks, err := ciapitest.Collect(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	got := ciapitest.ByPath(chunks)
	want := []string{
		"github:acme/vars#ORG_API_KEY", "github:acme/secrets#NPM_TOKEN",
		"github:acme/api/vars#REGION", "github:acme/api/vars#DEPLOY_KEY", "github:acme/api/secrets#DB_PASSWORD",
		"github:acme/api/env/production/vars#PROD_TOKEN", "github:acme/api/env/production/secrets#PROD_DB_PASSWORD",
		"github:acme/api/env/staging area/secrets#STAGING_KEY",
	}
	for _, p := range want {
		if _, ok := got[p]; !ok {
			t.Errorf("no chunk for %s", p)
		}
	}
	if len(chunks) != len(want) {
		t.Errorf("got %d chunks, want %d (a repository named twice must be read once)", len(chunks), len(want))
	}
	org := got["github:acme/vars#ORG_API_KEY"].Origin.CI
	if org.Level != "organization" || org.Visibility != "all" || org.NameOnly || !org.UpdatedAt.Equal(time.Date(2020, 1, 10, 14, 59, 22, 0, time.UTC)) {
		t.Errorf("org variable origin = %+v", org)
	}
	sec := got["github:acme/api/env/production/secrets#PROD_DB_PASSWORD"]
	if !sec.Origin.CI.NameOnly || len(sec.Data) != 0 || sec.Origin.CI.Environment != "production" || sec.Origin.CI.Level != "environment" || sec.Origin.CI.Scope != "acme/api" {
		t.Errorf("environment secret = %+v data %q", sec.Origin.CI, sec.Data)
	}
	if d := got["github:acme/api/vars#DEPLOY_KEY"]; string(d.Data) != "secret-ish" || d.Origin.CI.Level != "repository" {
		t.Errorf("repository variable = %+v data %q", d.Origin.CI, d.Data)
	}
	if ws := st.Snapshot().Warnings; len(ws) != 0 {
		t.Errorf("warnings: %v", ws)
	}
}

func TestGitHubErrors(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		want    []string
		waits   []time.Duration
	}{
		{"401 bad credentials", func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 401, map[string]string{"message": "Bad credentials"})
		}, []string{"401", "GITHUB_TOKEN", "Bad credentials"}, nil},
		{"403 missing scope", func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 403, map[string]string{"message": "Resource not accessible by personal access token"})
		}, []string{"403", "Variables", "admin:org", "Resource not accessible"}, nil},
		{"404", func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 404, map[string]string{"message": "Not Found"})
		}, []string{"404", "cannot see it"}, nil},
		{"secondary rate limit, then gives up", func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 403, map[string]string{"message": "You have exceeded a secondary rate limit"}, "Retry-After", "60")
		}, []string{"403", "secondary rate limit", "gave up after 5 attempts"},
			[]time.Duration{time.Minute, time.Minute, time.Minute, time.Minute}},
		{"primary rate limit reset too far away", func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 403, map[string]string{"message": "API rate limit exceeded"},
				"X-RateLimit-Remaining", "0", "X-RateLimit-Reset", fmt.Sprint(testNow.Add(time.Hour).Unix()))
		}, []string{"403", "API rate limit exceeded", "more than 2m0s, gave up"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			h := tc.handler
			f := &fakeGitHub{t: t, routes: map[string]http.HandlerFunc{
				"/repos/acme/bad/actions/variables": func(w http.ResponseWriter, r *http.Request) { calls.Add(1); h(w, r) },
				"/repos/acme/ok/actions/variables":  variables(variable("API_TOKEN", "x")),
				"/repos/acme/ok/actions/secrets":    secrets(),
				"/repos/acme/ok/environments":       environments(),
			}}
			srv := httptest.NewServer(f)
			defer srv.Close()
			w, st, sleeps := newWalker(t, srv, Options{Repos: []string{"acme/bad", "acme/ok"}})
			chunks, err := ciapitest.Collect(context.Background(), w)
			if err != nil || len(chunks) != 1 {
				t.Fatalf("chunks %d, err %v", len(chunks), err)
			}
			ws := st.Snapshot().Warnings
			if len(ws) != 1 || ws[0].Place != "github:repo acme/bad" {
				t.Fatalf("warnings = %+v", ws)
			}
			for _, s := range tc.want {
				if !strings.Contains(ws[0].Message, s) {
					t.Errorf("warning %q does not say %q", ws[0].Message, s)
				}
			}
			if strings.Contains(ws[0].Message, testToken) {
				t.Error("warning holds the token")
			}
			if fmt.Sprint(sleeps.D) != fmt.Sprint(tc.waits) || int(calls.Load()) != len(tc.waits)+1 {
				t.Errorf("%d requests, waits %v; want %d requests, waits %v", calls.Load(), sleeps.D, len(tc.waits)+1, tc.waits)
			}
		})
	}
}

func TestPrimaryRateLimitWaitsForTheReset(t *testing.T) {
	var calls atomic.Int32
	f := &fakeGitHub{t: t, routes: map[string]http.HandlerFunc{
		"/repos/acme/api/actions/variables": func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				ciapitest.JSON(w, 429, map[string]string{"message": "API rate limit exceeded"},
					"X-RateLimit-Remaining", "0", "X-RateLimit-Reset", fmt.Sprint(testNow.Add(30*time.Second).Unix()))
				return
			}
			variables(variable("A_TOKEN", "x"))(w, r)
		},
		"/repos/acme/api/actions/secrets": secrets(),
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	w, st, sleeps := newWalker(t, srv, Options{Repos: []string{"acme/api"}})
	chunks, err := ciapitest.Collect(context.Background(), w)
	if err != nil || len(chunks) != 1 {
		t.Fatalf("chunks %d err %v warnings %v", len(chunks), err, st.Snapshot().Warnings)
	}
	if len(sleeps.D) != 1 || sleeps.D[0] != 31*time.Second {
		t.Errorf("waits = %v, want [31s] (until the reset, plus a second)", sleeps.D)
	}
}

func TestBadRepoNameIsAUsageError(t *testing.T) {
	for _, r := range []string{"acme", "/api", "acme/", "a/b/c"} {
		if _, err := New(Options{Repos: []string{r}}); err == nil {
			t.Errorf("--github-repo %q accepted", r)
		}
	}
}
