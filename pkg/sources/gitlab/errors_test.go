package gitlab

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/ciapi/ciapitest"
)

// One good project next to each failing one: the failure is a warning
// naming the project, the good project is still read.
func TestEachErrorIsAWarningNamingTheProject(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		want    []string // in the warning
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) {
			// A server that echoes the token must not get it into the report.
			ciapitest.JSON(w, 401, map[string]string{"message": "401 Unauthorized: token " + testToken + " revoked"})
		}, []string{"401", "GITLAB_TOKEN", "rejected", "[token] revoked"}},
		{"403", func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 403, map[string]string{"message": "403 Forbidden"})
		}, []string{"403", "Maintainer", "read_api"}},
		{"404", func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 404, map[string]string{"message": "404 Project Not Found"})
		}, []string{"404", "not found, or the token cannot see it", "Project Not Found"}},
		{"500 every time", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			w.Write([]byte("<html>oops</html>"))
		}, []string{"500", "server error", "gave up after 5 attempts"}},
		{"429 asking for too long", func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 429, map[string]string{"message": "Retry later"}, "Retry-After", "3600")
		}, []string{"429", "wait 1h0m0s", "gave up"}},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`[{"key": "A", "value": `))
		}, []string{"malformed variable list"}},
		{"body too large", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("[" + strings.Repeat(" ", 2<<20) + "]"))
		}, []string{"larger than"}},
		{"next link to another host", func(w http.ResponseWriter, r *http.Request) {
			ciapitest.JSON(w, 200, []any{}, "Link", `<https://evil.example/api/v4/projects/9/variables?page=2>; rel="next"`)
		}, []string{"another host", "not followed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeGitLab{t: t, routes: map[string]http.HandlerFunc{
				"/api/v4/projects/acme%2Fbad/variables":  tc.handler,
				"/api/v4/projects/acme%2Fgood/variables": vars(v("API_TOKEN", "x")),
			}}
			srv := httptest.NewServer(f)
			defer srv.Close()
			w, st, _ := newWalker(t, srv, Options{Projects: []string{"acme/bad", "acme/good"}})
			w.client.MaxBody = 1 << 20
			chunks, err := ciapitest.Collect(context.Background(), w)
			if err != nil {
				t.Fatalf("one failed project ended the walk: %v", err)
			}
			if len(chunks) != 1 || chunks[0].Origin.CI.Scope != "acme/good" {
				t.Fatalf("good project not read: %+v", chunks)
			}
			ws := st.Snapshot().Warnings
			if len(ws) != 1 || ws[0].Place != "gitlab:project acme/bad" {
				t.Fatalf("warnings = %+v", ws)
			}
			for _, s := range tc.want {
				if !strings.Contains(ws[0].Message, s) {
					t.Errorf("warning %q does not say %q", ws[0].Message, s)
				}
			}
			if strings.Contains(ws[0].Message, testToken) {
				t.Errorf("warning holds the token: %q", ws[0].Message)
			}
		})
	}
}

func TestRetryAfterIsHonouredThenTheReadSucceeds(t *testing.T) {
	var calls atomic.Int32
	f := &fakeGitLab{t: t, routes: map[string]http.HandlerFunc{
		"/api/v4/projects/1/variables": func(w http.ResponseWriter, r *http.Request) {
			switch calls.Add(1) {
			case 1:
				ciapitest.JSON(w, 429, map[string]string{"message": "Retry later"}, "Retry-After", "7")
			case 2:
				ciapitest.JSON(w, 502, map[string]string{"message": "bad gateway"})
			default:
				ciapitest.JSON(w, 200, []any{v("A_TOKEN", "x")})
			}
		},
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	w, st, sleeps := newWalker(t, srv, Options{Projects: []string{"1"}})
	chunks, err := ciapitest.Collect(context.Background(), w)
	if err != nil || len(chunks) != 1 {
		t.Fatalf("chunks %d err %v warnings %v", len(chunks), err, st.Snapshot().Warnings)
	}
	// 7s as asked, then the first backoff step for the 502.
	if len(sleeps.D) != 2 || sleeps.D[0] != 7*time.Second || sleeps.D[1] != 2*time.Second {
		t.Errorf("waits = %v, want [7s 2s]", sleeps.D)
	}
}

func TestBoundedBackoffOnServerErrors(t *testing.T) {
	var calls atomic.Int32
	f := &fakeGitLab{t: t, routes: map[string]http.HandlerFunc{
		"/api/v4/projects/1/variables": func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(503)
		},
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	w, _, sleeps := newWalker(t, srv, Options{Projects: []string{"1"}})
	_, err := ciapitest.Collect(context.Background(), w)
	if err == nil {
		t.Fatal("the only project failed but the walk did not")
	}
	if calls.Load() != 5 || len(sleeps.D) != 4 {
		t.Errorf("%d requests, %d waits; want 5 and 4", calls.Load(), len(sleeps.D))
	}
	for i := 1; i < len(sleeps.D); i++ {
		if sleeps.D[i] <= sleeps.D[i-1] {
			t.Errorf("backoff does not grow: %v", sleeps.D)
		}
	}
}

func TestEveryTargetFailedFailsTheWalk(t *testing.T) {
	f := &fakeGitLab{t: t, routes: map[string]http.HandlerFunc{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	sleeps := &ciapitest.Sleeps{}
	w, err := New(Options{URL: srv.URL, Token: "wrong-token-value", Groups: []string{"acme"}, Projects: []string{"x/y"},
		Stats: sources.NewStats(), Configure: sleeps.Configure(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ciapitest.Collect(context.Background(), w)
	if err == nil {
		t.Fatal("walk succeeded though every target failed")
	}
	msg := err.Error()
	for _, s := range []string{"every target failed", "gitlab:group acme (variables)", "gitlab:project x/y", "401"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not say %q", msg, s)
		}
	}
	if strings.Contains(msg, "wrong-token-value") {
		t.Errorf("error holds the token: %q", msg)
	}
}

func TestCancelStopsTheWalk(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeGitLab{t: t, routes: map[string]http.HandlerFunc{
		"/api/v4/projects/1/variables": func(w http.ResponseWriter, r *http.Request) {
			cancel()
			<-r.Context().Done()
		},
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	w, st, _ := newWalker(t, srv, Options{Projects: []string{"1", "2"}})
	_, err := ciapitest.Collect(ctx, w)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if ws := st.Snapshot().Warnings; len(ws) != 0 {
		t.Errorf("cancellation reported as a project failure: %v", ws)
	}
}
