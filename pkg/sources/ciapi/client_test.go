package ciapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNextLink(t *testing.T) {
	for in, want := range map[string]string{
		`<https://gitlab.com/api/v4/projects?page=2>; rel="next", <https://gitlab.com/api/v4/projects?page=9>; rel="last"`: "https://gitlab.com/api/v4/projects?page=2",
		`<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next"`:                     "https://api.github.com/x?page=3",
		`<https://api.github.com/x?page=3>; rel="first"`:                                                                   "",
		`<a>; rel="prev next"`: "a",
		`garbage; rel=next`:    "",
		``:                     "",
	} {
		if got := nextLink([]string{in}); got != want {
			t.Errorf("nextLink(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestServerMessage(t *testing.T) {
	for in, want := range map[string]string{
		`{"message": "Bad credentials", "documentation_url": "https://docs.github.com"}`: "Bad credentials",
		`{"message": {"base": ["project not found"]}}`:                                   `{"base":["project not found"]}`,
		`{"error": "insufficient_scope"}`:                                                "insufficient_scope",
		"<html><body>502 Bad Gateway</body></html>":                                      "",
		"plain\x1b[31m text\n":                                                           "plain [31m text",
	} {
		if got := serverMessage([]byte(in)); got != want {
			t.Errorf("serverMessage(%q) = %q, want %q", in, got, want)
		}
	}
	long := serverMessage([]byte(strings.Repeat("é", 500)))
	if !utf8.ValidString(long) || len(long) > maxMessage+len("…") {
		t.Errorf("long message cut badly: %d bytes, valid %v", len(long), utf8.ValidString(long))
	}
}

// FuzzErrorBodies feeds hostile headers and bodies to the parsers of
// server answers: no panic, and messages stay printable UTF-8.
func FuzzErrorBodies(f *testing.F) {
	f.Add(`{"message":"x"}`, `<https://h/x?page=2>; rel="next"`)
	f.Add("\xff\xfe<", `<>;;rel=`)
	f.Fuzz(func(t *testing.T, body, link string) {
		m := serverMessage([]byte(body))
		if !utf8.ValidString(m) || strings.ContainsAny(m, "\x00\x1b\n") {
			t.Fatalf("message %q", m)
		}
		_ = nextLink([]string{link})
	})
}

func TestNewClientNeverEchoesURLCredentials(t *testing.T) {
	for _, in := range []string{"ftp://user:s3cretpw@host", "https://user:s3cretpw@[::1", "gitlab.example.com"} {
		_, err := NewClient(in)
		if err == nil {
			t.Errorf("%q accepted", in)
		} else if strings.Contains(err.Error(), "s3cretpw") {
			t.Errorf("error echoes the password: %v", err)
		}
	}
	c, err := NewClient("https://user:s3cretpw@gitlab.example.com/")
	if err != nil || c.Base.User != nil || c.Base.String() != "https://gitlab.example.com" {
		t.Errorf("base %v, err %v", c.Base, err)
	}
}

// TestRedirectToAnotherHostKeepsTheToken: a redirect to another host is
// not followed (GitLab's PRIVATE-TOKEN header would go with it) and not
// retried; one within the API's host is followed.
func TestRedirectToAnotherHostKeepsTheToken(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("PRIVATE-TOKEN") != "" {
			leaked.Add(1)
		}
		w.Write([]byte(`[]`))
	}))
	defer other.Close()
	var hits atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/ok", http.StatusFound)
		default:
			w.Write([]byte(`[]`))
		}
	}))
	defer api.Close()
	c, err := NewClient(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.Token = "glpat-do-not-leak"
	c.Auth = func(h http.Header, token string) { h.Set("PRIVATE-TOKEN", token) }
	slept := 0
	c.Sleep = func(context.Context, time.Duration) error { slept++; return nil }
	u, _ := c.URL("/away", nil)
	if _, err := c.Get(t.Context(), u); err == nil || !strings.Contains(err.Error(), "another host") {
		t.Fatalf("redirect to another host: err %v", err)
	} else if strings.Contains(err.Error(), "glpat-do-not-leak") {
		t.Errorf("error shows the token: %v", err)
	}
	if leaked.Load() != 0 || slept != 0 || hits.Load() != 1 {
		t.Errorf("token sent elsewhere %d times, %d retries, %d requests; want 0, 0, 1", leaked.Load(), slept, hits.Load())
	}
	u, _ = c.URL("/here", nil)
	if _, err := c.Get(t.Context(), u); err != nil {
		t.Errorf("redirect within the host: %v", err)
	}
}
