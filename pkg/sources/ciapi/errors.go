package ciapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// StatusError is an HTTP error answer, with what it most likely means.
type StatusError struct {
	Status int
	Place  string // the request path
	// Message is the platform's own message from the body, cut short.
	Message string
	// Meaning says what the status means for the user.
	Meaning string
	// RateLimited is set for a 429, and for a 403 that is a rate limit.
	RateLimited bool
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: %d %s", e.Place, e.Status, http.StatusText(e.Status))
	if e.Meaning != "" {
		s += ": " + e.Meaning
	}
	if e.Message != "" {
		s += fmt.Sprintf(" (platform says: %s)", e.Message)
	}
	return s
}

// IsStatus reports whether err is an HTTP error answer with this status.
func IsStatus(err error, status int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == status
}

func (e *StatusError) explain(c *Client) {
	switch {
	case e.Status == http.StatusUnauthorized:
		e.Meaning = "the token was rejected (expired, revoked or mistyped)"
		if c.TokenEnv != "" {
			e.Meaning = "the token in " + c.TokenEnv + " was rejected (expired, revoked or mistyped)"
		}
	case e.Status == http.StatusForbidden:
		e.Meaning = "the token may not read this"
		if c.ForbiddenHint != "" {
			e.Meaning += ": " + c.ForbiddenHint
		}
	case e.Status == http.StatusNotFound:
		e.Meaning = "not found, or the token cannot see it"
	case e.Status == http.StatusTooManyRequests:
		e.Meaning = "rate limited"
	case e.Status >= 500:
		e.Meaning = "server error"
	}
}

// retryAfter says whether an error answer is worth retrying, and after
// how long (negative: the default backoff). 429 and 5xx are; a 403 is
// only when it is a rate limit (GitHub answers its limits with 403 and
// Retry-After, or X-RateLimit-Remaining: 0 and a reset time).
func (c *Client) retryAfter(resp *http.Response) (time.Duration, bool) {
	h := resp.Header
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
				return time.Duration(secs) * time.Second, true
			}
		} else if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(c.now()), 0), true
		}
	}
	if (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests) &&
		strings.TrimSpace(h.Get("X-RateLimit-Remaining")) == "0" {
		if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(c.now()), 0) + time.Second, true
		}
		return -1, true
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return -1, true
	}
	return 0, false
}

// maxMessage caps the platform's message kept in an error.
const maxMessage = 200

// serverMessage pulls a human message out of an error body: GitHub's and
// GitLab's {"message": ...}, GitLab's {"error": ...}, else the text
// itself. Control characters are dropped: the body is untrusted and ends
// up on a terminal.
func serverMessage(body []byte) string {
	var m struct {
		Message any    `json:"message"`
		Error   string `json:"error"`
	}
	text := ""
	if json.Unmarshal(body, &m) == nil {
		switch v := m.Message.(type) {
		case string:
			text = v
		case nil:
		default:
			if b, err := json.Marshal(v); err == nil {
				text = string(b)
			}
		}
		if text == "" {
			text = m.Error
		}
	} else if !strings.HasPrefix(strings.TrimSpace(string(body)), "<") {
		text = string(body) // plain text; an HTML error page says nothing useful
	}
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(text, " "))
	text = strings.Join(strings.Fields(text), " ")
	if len(text) > maxMessage {
		cut := maxMessage
		for cut > 0 && !isRuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	return text
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
