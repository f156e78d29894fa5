package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func runInProcess(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }}
	code = run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

func TestCompletionScripts(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash":       "complete -o default -F __start_sprawl sprawl",
		"zsh":        "#compdef sprawl",
		"fish":       "complete -c sprawl",
		"powershell": "Register-ArgumentCompleter",
	} {
		code, out, errOut := runInProcess(t, "completion", shell)
		if code != 0 || !strings.Contains(out, marker) {
			t.Errorf("completion %s: exit %d, stderr %q, script lacks %q", shell, code, errOut, marker)
		}
	}
	if code, _, errOut := runInProcess(t, "completion", "tcsh"); code != 2 || !strings.Contains(errOut, "invalid argument") {
		t.Errorf("completion tcsh: exit %d, stderr %q; want a usage error", code, errOut)
	}
}

// TestFormatFlagCompletes runs cobra's completion entry point the way a
// shell script does and checks that --format offers every report format.
func TestFormatFlagCompletes(t *testing.T) {
	code, out, _ := runInProcess(t, "__complete", "dir", "--format", "")
	if code != 0 {
		t.Fatalf("__complete exit %d", code)
	}
	for _, f := range []string{"text", "json", "sarif", "csv", "gitlab"} {
		if !strings.Contains(out, f+"\n") {
			t.Errorf("--format completion lacks %s:\n%s", f, out)
		}
	}
}

func TestManPages(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	if code, _, errOut := runInProcess(t, "man", "--dir", dir); code != 0 {
		t.Fatalf("man: exit %d: %s", code, errOut)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	// Every visible command has a page; the hidden man command has none.
	for _, want := range []string{"sprawl.1", "sprawl-dir.1", "sprawl-stdin.1", "sprawl-completion.1", "sprawl-version.1"} {
		if i := sort.SearchStrings(names, want); i == len(names) || names[i] != want {
			t.Errorf("no %s among %v", want, names)
		}
	}
	for _, n := range names {
		if strings.HasPrefix(n, "sprawl-man") {
			t.Errorf("hidden command got a page: %s", n)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "sprawl-dir.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`.TH "SPRAWL" "1" "Nov 2023"`, "--follow-symlinks", "--format"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("sprawl-dir.1 lacks %q", want)
		}
	}
	if code, _, errOut := runInProcess(t, "man"); code != 2 || !strings.Contains(errOut, `"dir" not set`) {
		t.Errorf("man without --dir: exit %d, %q", code, errOut)
	}
}
