package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/sprawl-sec/sprawl/pkg/report"
)

// The GitHub Action and the GitLab template run sprawl from shell scripts
// inside YAML. These tests read those scripts and check every sprawl
// invocation against the real command tree, so that renaming a command or
// a flag breaks the tests instead of every user's pipeline.

// integrationFiles are the files that invoke sprawl, relative to the
// repository root.
var integrationFiles = []string{"action.yml", "ci/sprawl.gitlab-ci.yml"}

// pendingCommands are commands the integrations already offer but that
// other issues are still building. While a command is absent from the tree
// its invocations are only logged; once it exists, they are checked like
// any other. Remove an entry when its command lands.
var pendingCommands = map[string]string{
	"ci": "issue 5 (sprawl ci)",
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestIntegrationsInvokeRealCommands(t *testing.T) {
	root := NewCmdRoot(&IOStreams{})
	for _, name := range integrationFiles {
		data, err := os.ReadFile(filepath.Join(repoRoot(t), name))
		if err != nil {
			t.Fatal(err)
		}
		scripts, err := shellScripts(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n := 0
		for _, script := range scripts {
			for _, inv := range sprawlInvocations(script) {
				n++
				if err := checkInvocation(root, inv); err != nil {
					var pending *pendingError
					if asPending(err, &pending) {
						t.Logf("%s: %q not checked yet: %s", name, inv.line, pending.reason)
						continue
					}
					t.Errorf("%s: %q: %v", name, inv.line, err)
				}
			}
		}
		if n < 3 {
			t.Errorf("%s: found only %d sprawl invocations; has the file's layout changed?", name, n)
		}
	}
}

// TestInvocationCheckerCatchesDrift feeds the checker scripts with the
// mistakes it exists to catch.
func TestInvocationCheckerCatchesDrift(t *testing.T) {
	root := NewCmdRoot(&IOStreams{})
	for _, tc := range []struct {
		script, want string
	}{
		{`sprawl scan . --format sarif`, "unknown command"},
		{`sprawl dir . --fromat sarif`, "unknown flag --fromat"},
		{`sprawl dir . -Z`, "unknown flag -Z"},
		{`sprawl dir . --format xml --output x`, "unknown report format"},
		{`sprawl dir "$P" --output "$R" --exit-code`, "needs a value"},
		{"  dir)\n    sprawl dir . --follow-symlink ;;", "unknown flag --follow-symlink"},
		{`sprawl rules check --gitignore f`, "unknown flag --gitignore"},
		{`sprawl git . --fail-on leaks`, "--fail-on must be"},
		{`sprawl dir . --fail-on=managed`, "--fail-on must be"},
	} {
		invs := sprawlInvocations(tc.script)
		if len(invs) != 1 {
			t.Errorf("%q: %d invocations found, want 1", tc.script, len(invs))
			continue
		}
		err := checkInvocation(root, invs[0])
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.script, err, tc.want)
		}
	}
	for _, ok := range []string{
		`sprawl dir "$SCAN_PATH" --format "$FORMAT" --output "$report" $EXTRA_ARGS`,
		`sprawl dir . -f=json -o report.json --no-redact --exit-code=0 --threads 2`,
		`sprawl git . --fail-on externalized --range a..b`,
		`sprawl env --file build.env --fail-on=unmanaged`,
		`sprawl version`,
		`sprawl rules check sample.txt`,
		`sprawl completion bash > /etc/bash_completion.d/sprawl`,
	} {
		invs := sprawlInvocations(ok)
		if len(invs) != 1 {
			t.Fatalf("%q: %d invocations", ok, len(invs))
		}
		if err := checkInvocation(root, invs[0]); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	// Lines that mention sprawl without running it are not invocations.
	for _, not := range []string{`echo "sprawl found secrets"`, `export PATH="$bin:$PATH" # sprawl`, `gh release download --repo sprawl-sec/sprawl`} {
		if invs := sprawlInvocations(not); len(invs) != 0 {
			t.Errorf("%q taken for an invocation", not)
		}
	}
}

// shellScripts returns the shell code in a GitHub Action (runs.steps[].run)
// or a GitLab CI file (script, before_script and after_script of every
// job).
func shellScripts(data []byte) ([]string, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var out []string
	if runs, ok := doc["runs"].(map[string]any); ok {
		steps, _ := runs["steps"].([]any)
		for _, s := range steps {
			if step, ok := s.(map[string]any); ok {
				if run, ok := step["run"].(string); ok {
					out = append(out, run)
				}
			}
		}
		return out, nil
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		job, ok := doc[k].(map[string]any)
		if !ok {
			continue
		}
		for _, field := range []string{"before_script", "script", "after_script"} {
			switch v := job[field].(type) {
			case string:
				out = append(out, v)
			case []any:
				for _, line := range v {
					if s, ok := line.(string); ok {
						out = append(out, s)
					}
				}
			}
		}
	}
	return out, nil
}

// invocation is one sprawl command line in a script.
type invocation struct {
	line  string
	words []string // after "sprawl"
}

// sprawlInvocations finds the lines of a script that run sprawl: the first
// word of the line (or of a case branch such as `dir) sprawl ...`) is
// sprawl. Continuation lines are joined first. The words stop at the first
// shell operator or comment.
func sprawlInvocations(script string) []invocation {
	script = strings.ReplaceAll(script, "\\\n", " ")
	var out []invocation
	for _, line := range strings.Split(script, "\n") {
		words := shellWords(strings.TrimSpace(line))
		if len(words) > 0 && strings.HasSuffix(words[0], ")") && !strings.HasPrefix(words[0], "(") {
			words = words[1:] // a case branch label
		}
		if len(words) == 0 || words[0] != "sprawl" {
			continue
		}
		out = append(out, invocation{line: strings.TrimSpace(line), words: words[1:]})
	}
	return out
}

// shellWords splits a line into words the way the shell would before
// expansion: quotes group, and a word that is an operator (;, ;;, |, &&,
// ||, >, >>, 2>) or a comment ends the command.
func shellWords(line string) []string {
	var (
		words []string
		cur   strings.Builder
		inTok bool
		quote rune
	)
	flush := func() {
		if inTok {
			words = append(words, cur.String())
		}
		cur.Reset()
		inTok = false
	}
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inTok = r, true
		case r == ' ' || r == '\t':
			flush()
		case r == '#' && !inTok:
			flush()
			return words
		case strings.ContainsRune(";|&><", r):
			flush()
			return words
		default:
			cur.WriteRune(r)
			inTok = true
		}
	}
	flush()
	return words
}

type pendingError struct{ reason string }

func (e *pendingError) Error() string { return "pending: " + e.reason }

func asPending(err error, target **pendingError) bool {
	p, ok := err.(*pendingError)
	if ok {
		*target = p
	}
	return ok
}

// checkInvocation walks the command tree along the invocation's words and
// looks up every flag on the command it reaches. Words that the shell
// expands ($VAR) are not checked; literal --format values are.
func checkInvocation(root *cobra.Command, inv invocation) error {
	cmd := root
	words := inv.words
	// The command path: leading words that are not flags.
	for len(words) > 0 && !strings.HasPrefix(words[0], "-") {
		next := findChild(cmd, words[0])
		if next == nil {
			break
		}
		cmd, words = next, words[1:]
	}
	if cmd == root {
		if len(words) > 0 && !strings.HasPrefix(words[0], "-") {
			if reason, ok := pendingCommands[words[0]]; ok {
				return &pendingError{reason: reason}
			}
			return fmt.Errorf("unknown command %q", words[0])
		}
		return fmt.Errorf("no command")
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
			continue
		}
		name, value, hasValue := strings.Cut(w, "=")
		flag := lookupFlag(cmd, name)
		if flag == nil {
			return fmt.Errorf("unknown flag %s for %q", name, cmd.CommandPath())
		}
		if flag.Value.Type() == "bool" {
			continue
		}
		if !hasValue {
			if i+1 >= len(words) {
				return fmt.Errorf("flag %s needs a value", name)
			}
			i++
			value = words[i]
		}
		if flag.Name == "format" && !strings.Contains(value, "$") {
			if _, err := report.Lookup(value); err != nil {
				return err
			}
		}
		if flag.Name == "fail-on" && !strings.Contains(value, "$") {
			if _, _, err := (postureOptions{FailOn: value, MaxAge: "90d"}).policy(); err != nil {
				return err
			}
		}
	}
	return nil
}

func findChild(cmd *cobra.Command, name string) *cobra.Command {
	for _, c := range cmd.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}

func lookupFlag(cmd *cobra.Command, name string) *pflag.Flag {
	if long, ok := strings.CutPrefix(name, "--"); ok {
		if f := cmd.Flags().Lookup(long); f != nil {
			return f
		}
		return cmd.InheritedFlags().Lookup(long)
	}
	short := strings.TrimPrefix(name, "-")
	if len(short) != 1 {
		return nil
	}
	if f := cmd.Flags().ShorthandLookup(short); f != nil {
		return f
	}
	return cmd.InheritedFlags().ShorthandLookup(short)
}

// actionFile is the part of action.yml the tests read.
type actionFile struct {
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
}

func readAction(t *testing.T) (actionFile, []byte) {
	t.Helper()
	var action actionFile
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	return action, data
}

// TestActionDefaults checks the action's defaults against the CLI: the
// default format must be one sprawl writes, and the GitLab template must
// publish the file its gitlab-format pass writes.
func TestActionDefaults(t *testing.T) {
	action, _ := readAction(t)
	if _, err := report.Lookup(action.Inputs["format"].Default); err != nil {
		t.Errorf("action.yml default format: %v", err)
	}
	var gitlab struct {
		Sprawl struct {
			Script    []string `yaml:"script"`
			Artifacts struct {
				Reports struct {
					SecretDetection string `yaml:"secret_detection"`
				} `yaml:"reports"`
			} `yaml:"artifacts"`
		} `yaml:"sprawl"`
	}
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "ci", "sprawl.gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &gitlab); err != nil {
		t.Fatal(err)
	}
	file := gitlab.Sprawl.Artifacts.Reports.SecretDetection
	if file != "gl-secret-detection-report.json" || !strings.Contains(strings.Join(gitlab.Sprawl.Script, "\n"), `scan gitlab "$out/`+file+`"`) {
		t.Errorf("the GitLab template publishes %q, which its gitlab-format pass does not write", file)
	}
}

// TestActionFailOnMapsToTheGate runs the action's own mapping of its
// fail-on input (the case statement of the scan step) with bash, for
// every value the input's description offers, and checks the arguments
// it gives sprawl against the command tree and the gates sprawl accepts.
func TestActionFailOnMapsToTheGate(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	action, data := readAction(t)
	input := action.Inputs["fail-on"]
	scripts, err := shellScripts(data)
	if err != nil {
		t.Fatal(err)
	}
	mapping, labels := failOnCase(scripts)
	if mapping == "" {
		t.Fatal(`no 'case "$FAIL_ON" in ... esac' in the action's steps`)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z]+)`").FindAllStringSubmatch(input.Description, -1) {
		if m[1] != "sprawl" {
			documented[m[1]] = true
		}
	}
	if !documented[input.Default] || !documented["none"] || !documented["findings"] {
		t.Errorf("fail-on description documents %v; want its default %q, findings (the old default) and none", documented, input.Default)
	}
	for _, l := range labels {
		if !documented[l] {
			t.Errorf("fail-on %q is handled by the step but not documented", l)
		}
	}
	values := make([]string, 0, len(documented))
	for value := range documented {
		values = append(values, value)
	}
	checkFailOnMapping(t, bash, mapping, "FAIL_ON", values)
}

// checkFailOnMapping runs a case statement mapping $variable to $gate
// with bash for each value and checks what it gives sprawl: no flag for
// findings and none (sprawl's default gate), --fail-on VALUE otherwise,
// accepted by dir, git and ci alike; an unknown value must stop the
// script.
func checkFailOnMapping(t *testing.T, bash, mapping, variable string, values []string) {
	t.Helper()
	root := NewCmdRoot(&IOStreams{})
	for _, value := range values {
		cmd := exec.Command(bash, "-c", mapping+"\nprintf '%s' \"$gate\"")
		cmd.Env = []string{variable + "=" + value}
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s=%s: the script stops: %v", variable, value, err)
			continue
		}
		words := shellWords(string(out))
		for _, scan := range []string{"dir", "git", "ci"} {
			inv := invocation{line: "sprawl " + scan + " " + string(out), words: append([]string{scan}, words...)}
			if err := checkInvocation(root, inv); err != nil {
				t.Errorf("%s=%s gives %q: %v", variable, value, out, err)
			}
		}
		want := "--fail-on " + value
		if value == "findings" || value == "none" {
			want = "" // sprawl's default gate
		}
		if got := strings.Join(words, " "); got != want {
			t.Errorf("%s=%s gives %q, want %q", variable, value, got, want)
		}
	}
	cmd := exec.Command(bash, "-c", mapping)
	cmd.Env = []string{variable + "=leaks"}
	if err := cmd.Run(); err == nil {
		t.Errorf("%s=leaks: the script goes on; want it to stop", variable)
	}
}

// failOnCase returns the case statement over $FAIL_ON in the scripts and
// the values its branches name.
func failOnCase(scripts []string) (statement string, labels []string) {
	return caseOver(scripts, "FAIL_ON")
}

// caseOver returns the case statement over $variable in the scripts and
// the values its branches name.
func caseOver(scripts []string, variable string) (statement string, labels []string) {
	for _, s := range scripts {
		var lines []string
		for _, line := range strings.Split(s, "\n") {
			line = strings.TrimSpace(line)
			if len(lines) == 0 && line != `case "$`+variable+`" in` {
				continue
			}
			lines = append(lines, line)
			if line == "esac" {
				return strings.Join(lines, "\n"), labels
			}
			if pat, _, ok := strings.Cut(line, ")"); ok && len(lines) > 1 && pat != "*" {
				labels = append(labels, strings.Split(pat, "|")...)
			}
		}
	}
	return "", nil
}

// TestGitLabFailOnMapsToTheGate runs the GitLab template's mapping of
// SPRAWL_FAIL_ON with bash for every value its comment offers and checks
// what it passes against the CLI, for each scan the template runs.
func TestGitLabFailOnMapsToTheGate(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	var gitlab struct {
		Sprawl struct {
			Script []string `yaml:"script"`
		} `yaml:"sprawl"`
	}
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "ci", "sprawl.gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &gitlab); err != nil {
		t.Fatal(err)
	}
	mapping, labels := caseOver(gitlab.Sprawl.Script, "SPRAWL_FAIL_ON")
	if mapping == "" {
		t.Fatal(`no 'case "$SPRAWL_FAIL_ON" in ... esac' in the template's script`)
	}
	scans, _ := caseOver(gitlab.Sprawl.Script, "SPRAWL_SCAN")
	for _, scan := range []string{"dir", "git", "ci"} {
		if !strings.Contains(scans, scan+")") {
			t.Errorf("the template's scan switch has no %s branch", scan)
		}
	}
	values := []string{"findings", "unmanaged", "externalized", "none"}
	for _, value := range values {
		if !slices.Contains(labels, value) {
			t.Errorf("SPRAWL_FAIL_ON %q is not handled", value)
		}
	}
	checkFailOnMapping(t, bash, mapping, "SPRAWL_FAIL_ON", values)
}
