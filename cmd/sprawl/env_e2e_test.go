package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/report"
)

// A job's environment as a CI runner hands it over: an AWS key pair and a
// GitHub token (tokenA has a valid checksum) among ordinary variables.
var (
	envAWSKeyID  = "AK" + "IAQ3EGRT5MVXL7PZ2K"
	envAWSSecret = "Tq8vN3xLp0ZrW6sYb1" + "HcK9dFm4GjU7eA2iRoXt5Q"
	jobEnviron   = []string{
		"AWS_ACCESS_KEY_ID=" + envAWSKeyID,
		"AWS_SECRET_ACCESS_KEY=" + envAWSSecret,
		"GITHUB_TOKEN=" + tokenA,
		"HOME=/home/runner",
		"CI=true",
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"LANG=C.UTF-8",
		"GITHUB_SHA=3f786850e387550fdab836ed7e6dc881de23001b",
		"RUNNER_TEMP=/home/runner/work/_temp",
	}
	jobSecrets = []string{envAWSKeyID, envAWSSecret, tokenA}
)

// runSprawlExactEnv runs the binary with exactly the given environment,
// unlike runSprawlEnv which adds to the test's own: the scan must not see
// the test runner's variables. (Output is a pipe, so there is no colour
// without NO_COLOR.)
func runSprawlExactEnv(t *testing.T, dir string, environ []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir, cmd.Env = dir, append([]string{}, environ...) // never nil: nil would inherit
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run sprawl: %v", err)
		}
		code = ee.ExitCode()
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// assertNoValue fails if text holds any 6-byte piece of a secret, or the
// short prefix other commands' redaction keeps.
func assertNoValue(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		for i := 0; i+6 <= len(s); i++ {
			if strings.Contains(text, s[i:i+6]) {
				t.Errorf("%s shows %q, part of a value", where, s[i:i+6])
				break
			}
		}
		if strings.Contains(text, report.Redact(s)) {
			t.Errorf("%s shows the redacted prefix %q", where, report.Redact(s))
		}
	}
}

// envOccurrence is what the env tests read of a JSON report entry.
type envOccurrence struct {
	RuleID   string `json:"rule_id"`
	Class    string `json:"class"`
	Secret   string `json:"secret"`
	Context  string `json:"context"`
	Location struct {
		Source string `json:"source"`
		Path   string `json:"path"`
		Line   int    `json:"line"`
	} `json:"location"`
	Fingerprint string `json:"fingerprint"`
}

type envReport struct {
	Redacted   bool            `json:"redacted"`
	Findings   []envOccurrence `json:"findings"`
	References []envOccurrence `json:"references"`
}

func parseEnvReport(t *testing.T, data string) envReport {
	t.Helper()
	var r envReport
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, data)
	}
	return r
}

func TestEnvReportsNamesNeverValues(t *testing.T) {
	dir := t.TempDir()
	for _, format := range report.FormatNames() {
		r := runSprawlExactEnv(t, dir, jobEnviron, "env", "--format", format)
		if r.code != 1 {
			t.Errorf("%s: exit %d, want 1 (the job holds credentials)\n%s", format, r.code, r.stderr)
		}
		assertNoValue(t, format+" stdout", r.stdout, jobSecrets)
		assertNoValue(t, format+" stderr", r.stderr, jobSecrets)
		for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN"} {
			// GitLab's secret-detection format lists leaks only, and
			// these credentials are externalized.
			if format != "gitlab" && !strings.Contains(r.stdout, name) {
				t.Errorf("%s report does not name %s", format, name)
			}
		}

		out := filepath.Join(dir, "report."+format)
		r = runSprawlExactEnv(t, dir, jobEnviron, "env", "--format", format, "--output", out, "--verbose")
		data, err := os.ReadFile(out)
		if err != nil || r.code != 1 {
			t.Fatalf("%s --output: exit %d, %v\n%s", format, r.code, err, r.stderr)
		}
		assertNoValue(t, format+" --output file", string(data), jobSecrets)
		assertNoValue(t, format+" --output stderr", r.stderr, jobSecrets)
	}
}

func TestEnvJSONNamesRulesAndClasses(t *testing.T) {
	r := runSprawlExactEnv(t, t.TempDir(), jobEnviron, "env", "--format", "json")
	rep := parseEnvReport(t, r.stdout)
	if !rep.Redacted || len(rep.Findings) != 0 {
		t.Errorf("redacted %v, %d unmanaged findings; want redacted and every credential externalized", rep.Redacted, len(rep.Findings))
	}
	var got []string
	for _, o := range rep.References {
		got = append(got, o.Location.Path+" "+o.RuleID+" "+o.Class)
		if o.Secret != report.RedactMarker || o.Context != "" || o.Location.Source != "env" || o.Location.Line != 1 {
			t.Errorf("%s: secret %q, context %q, source %s, line %d", o.Location.Path, o.Secret, o.Context, o.Location.Source, o.Location.Line)
		}
	}
	sort.Strings(got)
	want := []string{
		"env:AWS_ACCESS_KEY_ID aws-access-key-id externalized",
		"env:AWS_SECRET_ACCESS_KEY aws-secret-access-key externalized",
		"env:GITHUB_TOKEN github-classic-pat externalized",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reported\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestEnvExitStatus(t *testing.T) {
	dir := t.TempDir()
	harmless := jobEnviron[3:]
	for _, tc := range []struct {
		name    string
		environ []string
		args    []string
		code    int
		stderr  string
	}{
		{"harmless variables", harmless, nil, 0, ""},
		{"credentials", jobEnviron, nil, 1, ""},
		{"--exit-code", jobEnviron, []string{"--exit-code", "3"}, 3, ""},
		{"list only", jobEnviron, []string{"--exit-code", "0"}, 0, ""},
		// A gate on unmanaged only: environment credentials are externalized.
		{"--fail-on unmanaged", jobEnviron, []string{"--fail-on", "unmanaged"}, 0, ""},
		{"empty environment", nil, nil, 2, "nothing was scanned"},
		{"--no-redact", jobEnviron, []string{"--no-redact"}, 2, "--no-redact is not available"},
		{"missing --file", nil, []string{"--file", "missing.env"}, 2, "missing.env"},
		{"an argument", jobEnviron, []string{"extra"}, 2, "unknown command"},
	} {
		r := runSprawlExactEnv(t, dir, tc.environ, append([]string{"env"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.name, r.code, r.stderr, tc.code, tc.stderr)
		}
		assertNoValue(t, tc.name, r.stdout+r.stderr, jobSecrets)
	}
}

// TestEnvFileIsScannedAsAFile: a dotenv file's values sit on disk, so they
// are unmanaged with their line numbers, and the fingerprints are those
// sprawl dir gives the same file (a baseline serves both).
func TestEnvFileIsScannedAsAFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "deploy", "build.env"), "# made by the build job\nCI=true\n\nGITHUB_TOKEN="+tokenA+"\nAWS_SECRET_ACCESS_KEY="+envAWSSecret+"\n")
	r := runSprawlExactEnv(t, dir, nil, "env", "--file", "./deploy/build.env", "--format", "json")
	if r.code != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	assertNoValue(t, "env --file", r.stdout+r.stderr, jobSecrets)
	envRep := parseEnvReport(t, r.stdout)
	dirRep := parseEnvReport(t, runSprawlExactEnv(t, dir, nil, "dir", "deploy/build.env", "--format", "json").stdout)

	lines := map[string]int{}
	var envPrints, dirPrints []string
	for _, f := range envRep.Findings {
		lines[f.RuleID] = f.Location.Line
		envPrints = append(envPrints, f.Fingerprint)
		if f.Class != "unmanaged" || f.Location.Path != "deploy/build.env" || f.Location.Source != "file" {
			t.Errorf("%s: class %s at %s (%s)", f.RuleID, f.Class, f.Location.Path, f.Location.Source)
		}
	}
	for _, f := range dirRep.Findings {
		dirPrints = append(dirPrints, f.Fingerprint)
	}
	if lines["github-classic-pat"] != 4 || lines["aws-secret-access-key"] != 5 {
		t.Errorf("lines %v, want github-classic-pat 4 and aws-secret-access-key 5", lines)
	}
	sort.Strings(envPrints)
	sort.Strings(dirPrints)
	if len(envPrints) == 0 || strings.Join(envPrints, ",") != strings.Join(dirPrints, ",") {
		t.Errorf("fingerprints differ from sprawl dir's:\n env %v\n dir %v", envPrints, dirPrints)
	}
}

// TestEnvBaseline: a job that accepted the credentials it holds (a JSON
// report as --baseline) passes until it is given a new one.
func TestEnvBaseline(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "accepted.json")
	if r := runSprawlExactEnv(t, dir, jobEnviron, "env", "--format", "json", "--output", base, "--exit-code", "0"); r.code != 0 {
		t.Fatalf("writing the baseline: exit %d\n%s", r.code, r.stderr)
	}
	if r := runSprawlExactEnv(t, dir, jobEnviron, "env", "--baseline", base); r.code != 0 {
		t.Errorf("same environment with its baseline: exit %d\n%s", r.code, r.stdout)
	}
	more := append([]string{"GH_TOKEN=" + tokenB}, jobEnviron...)
	r := runSprawlExactEnv(t, dir, more, "env", "--baseline", base)
	if r.code != 1 || !strings.Contains(r.stdout, "env:GH_TOKEN") || strings.Contains(r.stdout, "env:GITHUB_TOKEN") {
		t.Errorf("a new token: exit %d, want 1 and only env:GH_TOKEN reported\n%s", r.code, r.stdout)
	}
}
