// Package ciapi is the small HTTP client the CI platform walkers share:
// JSON GETs with a token in a header, page following, bounded retries on
// rate limits and server errors, bounded response bodies, and errors that
// say what went wrong without ever holding the token.
package ciapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Defaults for a Client's bounds.
const (
	DefaultRetries = 4
	DefaultMaxWait = 2 * time.Minute
	DefaultMaxBody = 32 << 20
	// maxPages stops a listing whose next links never end (a server bug or
	// a hostile server); at 100 per page it is a million items.
	maxPages = 10000
)

// Client talks to one platform's API.
type Client struct {
	// Base is the API root, e.g. https://gitlab.example.com/api/v4 or
	// https://api.github.com. Paths are appended to it; next-page links
	// must stay on its scheme and host, so that the token is never sent
	// elsewhere.
	Base *url.URL
	// Token goes into the header Auth names; it is scrubbed from every
	// error message the client makes.
	Token string
	// Auth sets the authentication header(s) of a request from Token.
	Auth func(h http.Header, token string)
	// Header holds fixed headers sent with every request (Accept, API
	// version).
	Header http.Header
	// TokenEnv names the variable the token came from, for the message of
	// a 401.
	TokenEnv string
	// ForbiddenHint is added to the message of a 403: which scope or role
	// the platform wants.
	ForbiddenHint string

	HTTP *http.Client
	// Retries is how many times a request is retried after a rate limit,
	// a server error or a network error (default DefaultRetries).
	Retries int
	// MaxWait caps one wait: a Retry-After or rate-limit reset further
	// away than this gives up at once (default DefaultMaxWait).
	MaxWait time.Duration
	// MaxBody caps a response body (default DefaultMaxBody).
	MaxBody int64
	// Sleep waits d or until ctx ends; tests replace it so that retries
	// take no time.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock rate-limit resets are measured against.
	Now func() time.Time
}

// NewClient parses the API root and fills the defaults.
func NewClient(base string) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		// Not echoed: a mistyped URL may hold a password.
		return nil, fmt.Errorf("invalid API URL: want http(s)://host[/path]")
	}
	u.User = nil // a token belongs in the environment, never in a URL that messages show
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("invalid API URL %q: want http(s)://host[/path]", u.String())
	}
	return &Client{Base: u, Header: http.Header{}}, nil
}

func (c *Client) retries() int {
	if c.Retries > 0 {
		return c.Retries
	}
	return DefaultRetries
}

func (c *Client) maxWait() time.Duration {
	if c.MaxWait > 0 {
		return c.MaxWait
	}
	return DefaultMaxWait
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// URL joins an escaped path and a query to the API root.
func (c *Client) URL(escapedPath string, query url.Values) (*url.URL, error) {
	u, err := url.Parse(c.Base.String() + escapedPath)
	if err != nil {
		return nil, fmt.Errorf("bad API path %q: %w", escapedPath, err)
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return u, nil
}

// Page is one response of a listing.
type Page struct {
	Body   []byte
	Header http.Header
}

// List GETs escapedPath and every next page it links to, handing each
// body to fn in order. Links come from the Link header (rel="next"), else
// GitLab's X-Next-Page.
func (c *Client) List(ctx context.Context, escapedPath string, query url.Values, fn func(Page) error) error {
	u, err := c.URL(escapedPath, query)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for n := 0; u != nil; n++ {
		if n >= maxPages || seen[u.String()] {
			return fmt.Errorf("%s: gave up following next-page links after %d pages", c.display(u), n)
		}
		seen[u.String()] = true
		p, err := c.Get(ctx, u)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return fmt.Errorf("%s: %w", c.display(u), err)
		}
		if u, err = c.next(u, p.Header); err != nil {
			return err
		}
	}
	return nil
}

// next returns the next page's URL, or nil on the last page.
func (c *Client) next(cur *url.URL, h http.Header) (*url.URL, error) {
	if link := nextLink(h.Values("Link")); link != "" {
		u, err := cur.Parse(link)
		if err != nil {
			return nil, fmt.Errorf("%s: malformed next-page link", c.display(cur))
		}
		if u.Scheme != c.Base.Scheme || u.Host != c.Base.Host {
			// The token must not follow a link to another host.
			return nil, fmt.Errorf("%s: next-page link points to another host (%s); not followed", c.display(cur), u.Host)
		}
		return u, nil
	}
	if np := strings.TrimSpace(h.Get("X-Next-Page")); np != "" {
		u := *cur
		q := u.Query()
		q.Set("page", np)
		u.RawQuery = q.Encode()
		return &u, nil
	}
	return nil, nil
}

// nextLink finds the rel="next" target of RFC 8288 Link header values.
func nextLink(values []string) string {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(part, ";")
			if !ok {
				continue
			}
			target = strings.TrimSpace(target)
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "rel") && hasToken(strings.Trim(v, `"`), "next") {
					return target[1 : len(target)-1]
				}
			}
		}
	}
	return ""
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// Get fetches one URL, retrying rate limits, server errors and network
// errors a bounded number of times.
func (c *Client) Get(ctx context.Context, u *url.URL) (Page, error) {
	for attempt := 0; ; attempt++ {
		p, retry, err := c.once(ctx, u)
		if err == nil || retry == nil {
			return p, err
		}
		if ctx.Err() != nil {
			return Page{}, ctx.Err()
		}
		wait := *retry
		if wait < 0 {
			wait = backoff(attempt)
		}
		if attempt >= c.retries() {
			return Page{}, fmt.Errorf("%w (gave up after %d attempts)", err, attempt+1)
		}
		if wait > c.maxWait() {
			return Page{}, fmt.Errorf("%w (the platform asks to wait %s; more than %s, gave up)", err, wait.Round(time.Second), c.maxWait())
		}
		if err := c.sleep(ctx, wait); err != nil {
			return Page{}, err
		}
	}
}

// errOtherHost is a redirect sameHostClient refused; not worth a retry.
var errOtherHost = errors.New("redirected to another host")

// sameHostClient follows redirects only within the API's scheme and
// host. Go's client drops Authorization on a redirect to another host,
// but not other headers, and GitLab's token travels in PRIVATE-TOKEN: a
// redirect elsewhere would hand it over.
var sameHostClient = &http.Client{
	CheckRedirect: func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
			return fmt.Errorf("%w (%s); not followed, so the token stays here", errOtherHost, req.URL.Host)
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after 10 redirects")
		}
		return nil
	},
}

// backoff is 1s, 2s, 4s, ... capped at 30s.
func backoff(attempt int) time.Duration {
	return min(time.Second<<min(attempt, 5), 30*time.Second)
}

// once makes one request. retry, when set, says the error is worth
// retrying after that long (negative: after the default backoff).
func (c *Client) once(ctx context.Context, u *url.URL) (Page, *time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Page{}, nil, fmt.Errorf("%s: %s", c.display(u), c.scrub(err.Error()))
	}
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	if c.Auth != nil && c.Token != "" {
		c.Auth(req.Header, c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = sameHostClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return Page{}, nil, ctx.Err()
		}
		if errors.Is(err, errOtherHost) {
			return Page{}, nil, fmt.Errorf("%s: %s", c.display(u), c.scrub(unwrapURLError(err)))
		}
		d := time.Duration(-1)
		return Page{}, &d, fmt.Errorf("%s: %s", c.display(u), c.scrub(unwrapURLError(err)))
	}
	defer resp.Body.Close()
	body, err := c.readBody(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return Page{}, nil, ctx.Err()
		}
		return Page{}, nil, fmt.Errorf("%s: %s", c.display(u), c.scrub(err.Error()))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return Page{Body: body, Header: resp.Header}, nil, nil
	}
	e := &StatusError{Status: resp.StatusCode, Place: c.display(u), Message: c.scrub(serverMessage(body))}
	e.explain(c)
	if wait, ok := c.retryAfter(resp); ok {
		e.RateLimited = resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests
		return Page{}, &wait, e
	}
	return Page{}, nil, e
}

// readBody reads at most MaxBody bytes; a longer body is an error rather
// than a silently cut JSON document.
func (c *Client) readBody(r io.Reader) ([]byte, error) {
	limit := c.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := sources.ReadAllLimited(r, limit)
	if err != nil {
		return nil, fmt.Errorf("response: %w; not read", err)
	}
	return body, nil
}

// display is a URL as messages show it: the path and query, without the
// API root's scheme and host (which the user gave) and never a token.
func (c *Client) display(u *url.URL) string {
	s := u.EscapedPath()
	if u.RawQuery != "" {
		s += "?" + u.RawQuery
	}
	return c.scrub(s)
}

// scrub removes the token from text that may end up in a message.
func (c *Client) scrub(s string) string {
	if c.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.Token, "[token]")
}

func unwrapURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}
