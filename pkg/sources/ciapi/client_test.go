package ciapi

import (
	"strings"
	"testing"
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
