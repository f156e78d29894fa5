package gitlab

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/ciapi/ciapitest"
)

const testToken = "glpat-testtoken-0123456789abcdef"

// fakeGitLab answers the documented shapes of the variables, projects and
// admin endpoints; routes maps an escaped path (with the page query when
// it matters) to a handler.
type fakeGitLab struct {
	t      *testing.T
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
	seen   []string
}

func (f *fakeGitLab) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("PRIVATE-TOKEN"); got != testToken {
		ciapitest.JSON(w, 401, map[string]string{"message": "401 Unauthorized"})
		return
	}
	if r.Method != http.MethodGet {
		f.t.Errorf("%s %s: the walker must only read", r.Method, r.URL)
	}
	key := r.URL.EscapedPath()
	if p := r.URL.Query().Get("page"); p != "" && p != "1" {
		key += "?page=" + p
	}
	f.mu.Lock()
	f.seen = append(f.seen, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
	h := f.routes[key]
	f.mu.Unlock()
	if h == nil {
		ciapitest.JSON(w, 404, map[string]string{"message": "404 Not Found"})
		return
	}
	h(w, r)
}

func vars(list ...map[string]any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { ciapitest.JSON(w, 200, list) }
}

func v(key, value string, extra ...any) map[string]any {
	m := map[string]any{"key": key, "value": value, "variable_type": "env_var", "protected": false,
		"masked": false, "hidden": false, "raw": false, "environment_scope": "*", "description": nil}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

func newWalker(t *testing.T, srv *httptest.Server, opts Options) (*Walker, *sources.Stats, *ciapitest.Sleeps) {
	t.Helper()
	sleeps := &ciapitest.Sleeps{}
	opts.URL, opts.Token, opts.Stats = srv.URL, testToken, sources.NewStats()
	opts.Configure = sleeps.Configure(time.Unix(1_700_000_000, 0))
	w, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return w, opts.Stats, sleeps
}

func TestGroupScanFollowsBothPaginationStylesAndSubgroups(t *testing.T) {
	f := &fakeGitLab{t: t}
	srv := httptest.NewServer(f)
	defer srv.Close()
	f.routes = map[string]http.HandlerFunc{
		// Group variables: two pages announced with X-Next-Page.
		"/api/v4/groups/acme/variables": func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 200, []any{v("GROUP_ONE", "one")}, "X-Next-Page", "2", "X-Total-Pages", "2", "X-Page", "1")
		},
		"/api/v4/groups/acme/variables?page=2": func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 200, []any{v("GROUP_TWO", "two")}, "X-Next-Page", "", "X-Total-Pages", "2", "X-Page", "2")
		},
		// Projects: two pages announced with a Link header.
		"/api/v4/groups/acme/projects": func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("include_subgroups") != "true" {
				t.Errorf("projects listed without include_subgroups: %s", r.URL.RawQuery)
			}
			next := srv.URL + "/api/v4/groups/acme/projects?include_subgroups=true&page=2&per_page=100"
			ciapitest.JSON(w, 200, []any{map[string]any{"id": 11, "path_with_namespace": "acme/app"}},
				"Link", `<`+next+`>; rel="next", <`+next+`>; rel="last"`)
		},
		"/api/v4/groups/acme/projects?page=2": func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 200, []any{map[string]any{"id": 12, "path_with_namespace": "acme/platform/tool"}})
		},
		"/api/v4/projects/11/variables": vars(
			v("DEPLOY_TOKEN", "glpat-x", "masked", true),
			v("KUBECONFIG", "apiVersion: v1\n", "variable_type", "file", "protected", true),
			map[string]any{"key": "SIGNING_KEY", "value": nil, "hidden": true, "masked": true, "variable_type": "env_var", "environment_scope": "*"},
		),
		"/api/v4/projects/12/variables": vars(v("DB_PASSWORD", "pw", "environment_scope", "production", "raw", true)),
		// Named on the command line as a path: its id is URL-encoded.
		"/api/v4/projects/acme%2Fplatform%2Ftool/variables": func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("a project already listed through its group was read again by path")
		},
		"/api/v4/projects/other%2Fsvc/variables": vars(v("API_KEY", "k")),
	}
	w, st, _ := newWalker(t, srv, Options{Groups: []string{"acme"}, Projects: []string{"other/svc"}})
	chunks, err := ciapitest.Collect(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	got := ciapitest.ByPath(chunks)
	want := []string{
		"gitlab:acme#GROUP_ONE", "gitlab:acme#GROUP_TWO", "gitlab:acme/app#DEPLOY_TOKEN", "gitlab:acme/app#KUBECONFIG",
		"gitlab:acme/app#SIGNING_KEY", "gitlab:acme/platform/tool#DB_PASSWORD@production", "gitlab:other/svc#API_KEY",
	}
	for _, p := range want {
		if _, ok := got[p]; !ok {
			t.Errorf("no chunk for %s; got %v", p, keys(got))
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d variables, want %d: %v", len(got), len(want), keys(got))
	}
	dt := got["gitlab:acme/app#DEPLOY_TOKEN"].Origin.CI
	if !dt.Masked || dt.Protected || dt.Level != "project" || dt.Scope != "acme/app" || string(got["gitlab:acme/app#DEPLOY_TOKEN"].Data) != "glpat-x" {
		t.Errorf("DEPLOY_TOKEN origin = %+v", dt)
	}
	if kc := got["gitlab:acme/app#KUBECONFIG"].Origin.CI; kc.VariableType != "file" || !kc.Protected {
		t.Errorf("KUBECONFIG origin = %+v", kc)
	}
	if sk := got["gitlab:acme/app#SIGNING_KEY"]; !sk.Origin.CI.NameOnly || !sk.Origin.CI.Hidden || len(sk.Data) != 0 {
		t.Errorf("hidden variable: %+v data %q", sk.Origin.CI, sk.Data)
	}
	if db := got["gitlab:acme/platform/tool#DB_PASSWORD@production"].Origin.CI; db.Environment != "production" || !db.Raw {
		t.Errorf("DB_PASSWORD origin = %+v", db)
	}
	if g := got["gitlab:acme#GROUP_ONE"].Origin.CI; g.Level != "group" || g.Environment != "" {
		t.Errorf("group variable origin = %+v", g)
	}
	for _, q := range f.seen {
		if !strings.Contains(q, "per_page=100") {
			t.Errorf("request without per_page=100: %s", q)
		}
	}
	if snap := st.Snapshot(); len(snap.Warnings) != 0 || snap.Items != int64(len(want)) {
		t.Errorf("items %d, warnings %v", snap.Items, snap.Warnings)
	}
}

func TestInstanceVariables(t *testing.T) {
	f := &fakeGitLab{t: t, routes: map[string]http.HandlerFunc{
		"/api/v4/admin/ci/variables": vars(map[string]any{"key": "SHARED_TOKEN", "value": "x", "variable_type": "env_var", "protected": true, "masked": false, "raw": false}),
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	w, _, _ := newWalker(t, srv, Options{Instance: true})
	chunks, err := ciapitest.Collect(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 1 || chunks[0].Origin.Path != "gitlab:instance#SHARED_TOKEN" || chunks[0].Origin.CI.Level != "instance" {
		t.Fatalf("chunks = %+v", chunks)
	}
}

func TestSelfManagedURLWithPathPrefix(t *testing.T) {
	f := &fakeGitLab{t: t, routes: map[string]http.HandlerFunc{
		"/gitlab/api/v4/projects/7/variables": vars(v("A_TOKEN", "x")),
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	sleeps := &ciapitest.Sleeps{}
	w, err := New(Options{URL: srv.URL + "/gitlab/", Token: testToken, Projects: []string{"7"}, Configure: sleeps.Configure(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := ciapitest.Collect(context.Background(), w)
	if err != nil || len(chunks) != 1 {
		t.Fatalf("chunks %d, err %v", len(chunks), err)
	}
	if _, err := New(Options{URL: "gitlab.example.com"}); err == nil {
		t.Error("a URL without scheme was accepted")
	}
}

func keys(m map[string]sources.Chunk) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
