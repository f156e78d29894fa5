package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
)

// The checks below are the parts of GitLab's secret detection report
// schema (security-report-schemas 15.x) that make GitLab reject a report:
// required fields, their patterns and enumerations. GitLab validates every
// report it ingests and drops a report that fails, silently for the user
// apart from a pipeline warning, so the writer must never produce one.
var (
	gitlabVersionRE  = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
	gitlabTimeRE     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$`)
	uuidRE           = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	gitlabSeverities = map[string]bool{"Info": true, "Unknown": true, "Low": true, "Medium": true, "High": true, "Critical": true}
)

// validateGitLab returns every violation of the schema's requirements in
// a report, decoded generically so that a field the writer's structs lack
// shows up as missing.
func validateGitLab(data []byte) []string {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	str := func(m map[string]any, path, key string) string {
		s, ok := m[key].(string)
		if !ok || s == "" {
			bad("%s.%s: required non-empty string, got %#v", path, key, m[key])
		}
		return s
	}
	obj := func(m map[string]any, path, key string) map[string]any {
		o, ok := m[key].(map[string]any)
		if !ok {
			bad("%s.%s: required object, got %#v", path, key, m[key])
			return map[string]any{}
		}
		return o
	}

	if v := str(doc, "$", "version"); v != "" && !gitlabVersionRE.MatchString(v) {
		bad("$.version %q is not a schema version", v)
	}
	scan := obj(doc, "$", "scan")
	for _, part := range []string{"analyzer", "scanner"} {
		t := obj(scan, "$.scan", part)
		for _, k := range []string{"id", "name", "version"} {
			str(t, "$.scan."+part, k)
		}
		str(obj(t, "$.scan."+part, "vendor"), "$.scan."+part+".vendor", "name")
	}
	if typ := str(scan, "$.scan", "type"); typ != "" && typ != "secret_detection" {
		bad("$.scan.type = %q, want secret_detection", typ)
	}
	for _, k := range []string{"start_time", "end_time"} {
		if s := str(scan, "$.scan", k); s != "" && !gitlabTimeRE.MatchString(s) {
			bad("$.scan.%s %q does not match the schema's date-time pattern", k, s)
		}
	}
	if s := str(scan, "$.scan", "status"); s != "" && s != "success" && s != "failure" {
		bad("$.scan.status = %q", s)
	}

	vulns, ok := doc["vulnerabilities"].([]any)
	if !ok {
		bad("$.vulnerabilities: required array, got %#v", doc["vulnerabilities"])
	}
	ids := map[string]bool{}
	for i, v := range vulns {
		path := fmt.Sprintf("$.vulnerabilities[%d]", i)
		vm, _ := v.(map[string]any)
		if vm == nil {
			bad("%s: not an object", path)
			continue
		}
		id := str(vm, path, "id")
		if id != "" && !uuidRE.MatchString(id) {
			bad("%s.id %q is not a name-based UUID", path, id)
		}
		if ids[id] {
			bad("%s.id %q is not unique", path, id)
		}
		ids[id] = true
		if name, _ := vm["name"].(string); len(name) > 255 {
			bad("%s.name longer than 255", path)
		}
		if sev, _ := vm["severity"].(string); !gitlabSeverities[sev] {
			bad("%s.severity %q is not in the schema's enumeration", path, sev)
		}
		idents, _ := vm["identifiers"].([]any)
		if len(idents) == 0 {
			bad("%s.identifiers: at least one required", path)
		}
		for j, ident := range idents {
			im, _ := ident.(map[string]any)
			if im == nil {
				im = map[string]any{}
			}
			for _, k := range []string{"type", "name", "value"} {
				str(im, fmt.Sprintf("%s.identifiers[%d]", path, j), k)
			}
		}
		loc := obj(vm, path, "location")
		str(loc, path+".location", "file")
		str(obj(loc, path+".location", "commit"), path+".location.commit", "sha")
		start, _ := loc["start_line"].(float64)
		end, _ := loc["end_line"].(float64)
		if start < 1 || end < start {
			bad("%s.location: lines %v..%v", path, loc["start_line"], loc["end_line"])
		}
	}
	return errs
}

func writeGitLab(t *testing.T, r *Report, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (GitLabWriter{}).Write(&buf, r, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGitLabFixtureValidates(t *testing.T) {
	r := fixtureReport()
	out := writeGitLab(t, r, fixtureOptions())
	for _, e := range validateGitLab(out) {
		t.Error(e)
	}
	var doc gitlabReport
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vulnerabilities) != len(r.Findings) {
		t.Fatalf("%d vulnerabilities, want %d", len(doc.Vulnerabilities), len(r.Findings))
	}
	aws := doc.Vulnerabilities[2].Location.Commit
	if aws.SHA != "4b825dc642cb6eb9a060e54bf8d69288fbee4904" || aws.Author != "Alice Example" || aws.Date != "2023-05-04T10:20:30Z" {
		t.Errorf("git finding's commit = %+v", aws)
	}
	if first := doc.Vulnerabilities[0].Identifiers[0]; first.Type != "sprawl_rule_id" || first.Value != "github-classic-pat" {
		t.Errorf("primary identifier = %+v, want the rule id", first)
	}
	// Ids are stable: the same report gives the same ids.
	again := writeGitLab(t, fixtureReport(), fixtureOptions())
	if !bytes.Equal(out, again) {
		t.Error("two writes of the same report differ")
	}
}

// TestGitLabDegenerateReport writes what a careless caller might pass: no
// tool metadata, a finding without rule or origin, zero line numbers, and
// a severity the schema does not know. The report must still validate.
func TestGitLabDegenerateReport(t *testing.T) {
	odd := classify.Finding{Finding: detect.Finding{Secret: "x"}}
	weird := classify.Finding{Finding: detect.Finding{Rule: &detect.Rule{ID: "r", Severity: "urgent"}, Secret: "y", Line: 4, EndLine: 2}}
	r := &Report{Findings: []classify.Finding{odd, weird}, Started: time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))}
	out := writeGitLab(t, r, DefaultOptions())
	for _, e := range validateGitLab(out) {
		t.Error(e)
	}
	if !strings.Contains(string(out), `"start_time": "2024-01-02T02:04:05"`) {
		t.Errorf("start time not in UTC:\n%s", out)
	}
	empty := writeGitLab(t, &Report{}, DefaultOptions())
	if !strings.Contains(string(empty), `"vulnerabilities": []`) {
		t.Errorf("a clean scan must write an empty array, not null:\n%s", empty)
	}
	for _, e := range validateGitLab(empty) {
		t.Error(e)
	}
}

// TestGitLabValidatorCatchesBreakage makes sure the checks above can fail:
// each edit breaks one rule of the schema.
func TestGitLabValidatorCatchesBreakage(t *testing.T) {
	good := string(writeGitLab(t, fixtureReport(), fixtureOptions()))
	for _, tc := range []struct{ old, new, want string }{
		{`"sha": "0000000"`, `"sha": ""`, "location.commit.sha"},
		{`"type": "secret_detection"`, `"type": "sast"`, "$.scan.type"},
		{`"start_time": "2024-06-01T12:00:00"`, `"start_time": "2024-06-01T12:00:00Z"`, "start_time"},
		{`"severity": "Critical"`, `"severity": "critical"`, "severity"},
		{`"version": "15.0.7"`, `"version": "v15"`, "$.version"},
	} {
		if !strings.Contains(good, tc.old) {
			t.Fatalf("fixture output lacks %s", tc.old)
		}
		errs := strings.Join(validateGitLab([]byte(strings.Replace(good, tc.old, tc.new, 1))), "\n")
		if !strings.Contains(errs, tc.want) {
			t.Errorf("replacing %s with %s: validator said %q, want a complaint about %s", tc.old, tc.new, errs, tc.want)
		}
	}
}

func TestGitLabNoRedactShowsSecret(t *testing.T) {
	opts := fixtureOptions()
	opts.Redact = false
	out := string(writeGitLab(t, fixtureReport(), opts))
	if !strings.Contains(out, "Secret: "+secretAWS+".") {
		t.Error("with --no-redact the description should carry the secret, as the other formats do")
	}
}

func TestNameUUID(t *testing.T) {
	a, b := nameUUID("one"), nameUUID("two")
	if a == b || !uuidRE.MatchString(a) || !uuidRE.MatchString(b) || nameUUID("one") != a {
		t.Errorf("nameUUID: %s %s", a, b)
	}
}
