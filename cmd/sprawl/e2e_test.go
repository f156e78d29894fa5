package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// binary is sprawl built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sprawl-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "sprawl")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build sprawl: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
	maxRSSKiB      int64
}

func runSprawl(t *testing.T, dir string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSSKiB = ru.Maxrss
	}
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("sprawl %v died with %v\nstderr: %s", args, ws.Signal(), r.stderr)
		}
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run sprawl: %v", err)
	}
	return r
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// jsonReport is the part of the JSON report the tests read.
type jsonReport struct {
	SchemaVersion string `json:"schema_version"`
	Summary       struct {
		ItemsScanned int64          `json:"items_scanned"`
		BytesScanned int64          `json:"bytes_scanned"`
		Skipped      map[string]int `json:"skipped"`
		Warnings     []struct {
			Place   string `json:"place"`
			Message string `json:"message"`
		} `json:"warnings"`
	} `json:"summary"`
	Findings []struct {
		Fingerprint string `json:"fingerprint"`
		RuleID      string `json:"rule_id"`
		Secret      string `json:"secret"`
		Class       string `json:"class"`
		Decoded     string `json:"decoded"`
		Location    struct {
			Path   string `json:"path"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"location"`
	} `json:"findings"`
}

func parseJSON(t *testing.T, s string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, s)
	}
	return r
}

func (r jsonReport) has(rule, path string, line int) bool {
	for _, f := range r.Findings {
		if f.RuleID == rule && f.Location.Path == path && f.Location.Line == line {
			return true
		}
	}
	return false
}
