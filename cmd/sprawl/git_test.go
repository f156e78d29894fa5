package main

import (
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"90d":                  now.Add(-90 * 24 * time.Hour),
		"2w":                   now.Add(-14 * 24 * time.Hour),
		"1y":                   now.Add(-365 * 24 * time.Hour),
		"2024-01-31T10:00:00Z": time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, err := parseSince("2024-01-31", now); err != nil || got.Year() != 2024 || got.Day() != 31 {
		t.Errorf("date: %v %v", got, err)
	}
	for _, bad := range []string{"", "yesterday", "10x", "2024-13-01"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("parseSince(%q) accepted", bad)
		}
	}
}

func TestRepoURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://github.com/org/repo": true, "git@github.com:org/repo.git": true, "file:///tmp/x": true,
		".": false, "../repo": false, "/abs/path": false, `C:\work\repo`: false,
	} {
		if got := isRepoURL(s); got != want {
			t.Errorf("isRepoURL(%q) = %v", s, got)
		}
	}
	if got := redactURL("https://user:ghp_secret@github.com/org/repo"); got != "https://github.com/org/repo" {
		t.Errorf("redactURL: %s", got)
	}
}
