package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// multitoolEnv names the Microsoft SARIF multitool executable the
// validator test runs; CI installs it (see .ci/run).
const multitoolEnv = "SPRAWL_SARIF_MULTITOOL"

// TestSARIFValidator runs Microsoft's SARIF validator, with the SARIF and
// GitHub rule sets, over several SARIF reports and fails on any error or
// warning it reports. A deliberately broken canary file proves the
// validator ran and that its findings are read.
func TestSARIFValidator(t *testing.T) {
	tool := os.Getenv(multitoolEnv)
	if tool == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must install the SARIF multitool", multitoolEnv)
		}
		t.Skipf("%s is not set; install @microsoft/sarif-multitool to run the SARIF validator", multitoolEnv)
	}
	tool = nativeMultitool(t, tool)
	dir := t.TempDir()

	redacted := fixtureReport()
	plain := fixtureReport()
	plain.Tool.Version = "dev"
	plain.Root = "/home/ci/checkout dir"
	plain.Findings = append(plain.Findings, redacted.Findings[0], redacted.Findings[1])
	plain.Findings[6].Origin = &sources.Origin{Source: sources.KindStdin}
	plain.Findings[7].Origin = &sources.Origin{Source: sources.KindFile, Path: "/abs/path with space/ü.env"}
	noRedact := fixtureOptions()
	noRedact.Redact = false
	files := map[string]struct {
		r    *Report
		opts Options
	}{
		"redacted.sarif":  {redacted, fixtureOptions()},
		"no-redact.sarif": {plain, noRedact},
		"empty.sarif":     {&Report{Tool: Tool{Name: "sprawl", Version: "0.1.0"}}, DefaultOptions()},
	}
	var args []string
	for name, f := range files {
		path := filepath.Join(dir, name)
		var buf bytes.Buffer
		if err := (SARIFWriter{}).Write(&buf, f.r, f.opts); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	canary := filepath.Join(dir, "canary.sarif")
	if err := os.WriteFile(canary, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"x."},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, canary)

	out := filepath.Join(dir, "validation.sarif")
	// Files first: the list-valued options would swallow them otherwise.
	args = append(append([]string{"validate"}, args...),
		"--rule-kind", "Gh;Sarif", "--level", "Error;Warning", "--output", out, "--log", "ForceOverwrite")
	cmd := exec.Command(tool, args...)
	// .NET needs ICU unless told to run without it; CI images often lack it.
	cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1")
	console, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", tool, err, console)
	}
	problems, err := readValidation(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, console)
	}
	if len(problems[canary]) == 0 {
		t.Fatalf("the validator found nothing wrong with the broken canary file; is it really running?\n%s", console)
	}
	delete(problems, canary)
	for _, file := range sortedKeys(problems) {
		t.Errorf("%s: %d validator problem(s):\n  %s", filepath.Base(file), len(problems[file]), strings.Join(problems[file], "\n  "))
	}
	if t.Failed() {
		t.Logf("validator output:\n%s", console)
	}
}

// nativeMultitool returns the native multitool binary for the npm
// wrapper script: the wrapper passes its arguments through a shell, which
// splits "Gh;Sarif" at the semicolon.
func nativeMultitool(t *testing.T, tool string) string {
	head := make([]byte, 2)
	f, err := os.Open(tool)
	if err != nil {
		t.Fatalf("%s: %v", multitoolEnv, err)
	}
	defer f.Close()
	if n, _ := f.Read(head); n < 2 || string(head) != "#!" {
		return tool
	}
	real, err := filepath.EvalSymlinks(tool)
	if err != nil {
		t.Fatal(err)
	}
	name := "Sarif.Multitool"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	for _, dir := range []string{filepath.Dir(real), filepath.Dir(tool)} {
		for _, rel := range []string{"..", "../..", "../@microsoft"} {
			native := filepath.Join(dir, rel, "sarif-multitool-"+runtime.GOOS, name)
			if _, err := os.Stat(native); err == nil {
				return native
			}
		}
	}
	t.Fatalf("%s is a script and no native Sarif.Multitool was found beside it; point %s at .../@microsoft/sarif-multitool-%s/%s", tool, multitoolEnv, runtime.GOOS, name)
	return ""
}

// readValidation returns the validator's errors and warnings, by file.
func readValidation(path string) (map[string][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read validator output: %w", err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text      string   `json:"text"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
			Invocations []struct {
				ExecutionSuccessful        bool `json:"executionSuccessful"`
				ToolExecutionNotifications []struct {
					Level   string `json:"level"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		return nil, fmt.Errorf("parse validator output: %w", err)
	}
	problems := map[string][]string{}
	for _, run := range log.Runs {
		for _, inv := range run.Invocations {
			if !inv.ExecutionSuccessful {
				problems["(validator)"] = append(problems["(validator)"], "execution was not successful")
			}
			for _, n := range inv.ToolExecutionNotifications {
				if n.Level == "error" {
					problems["(validator)"] = append(problems["(validator)"], n.Message.Text)
				}
			}
		}
		for _, r := range run.Results {
			if r.Level == "note" || r.Level == "none" {
				continue // notes are advice; level "" defaults to warning
			}
			file := "(unknown file)"
			if len(r.Locations) > 0 {
				file = fileOfURI(r.Locations[0].PhysicalLocation.ArtifactLocation.URI)
			}
			msg := r.Message.Text
			if msg == "" {
				msg = strings.Join(r.Message.Arguments, " | ")
			}
			problems[file] = append(problems[file], fmt.Sprintf("%s %s: %s", r.Level, r.RuleID, msg))
		}
	}
	for _, p := range problems {
		sort.Strings(p)
	}
	return problems, nil
}

func fileOfURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return uri
	}
	return filepath.FromSlash(u.Path)
}
