package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	r := fixtureReport()
	var buf bytes.Buffer
	if err := (JSONWriter{}).Write(&buf, r, fixtureOptions()); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if raw["schema_version"] != SchemaVersion {
		t.Errorf("schema_version = %v, want %q", raw["schema_version"], SchemaVersion)
	}
	var got JSONReport
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.DisallowUnknownFields() // every field written is a documented field
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := BuildJSON(r, fixtureOptions())
	if !reflect.DeepEqual(normalize(t, &got), normalize(t, want)) {
		t.Errorf("round trip changed the report")
	}
	if len(got.Findings) != len(r.Findings) {
		t.Fatalf("%d findings, want %d", len(got.Findings), len(r.Findings))
	}
	for i, f := range r.Findings {
		if got.Findings[i].Fingerprint != Fingerprint(f, testKey) {
			t.Errorf("finding %d out of order", i)
		}
		if got.Findings[i].Secret != Redact(f.Secret) {
			t.Errorf("finding %d secret = %q, want redacted", i, got.Findings[i].Secret)
		}
	}
	if got.Summary.Findings != 6 || got.Summary.Baselined != 2 || got.Summary.BySeverity["high"] != 3 {
		t.Errorf("summary = %+v", got.Summary)
	}
}

// normalize compares reports through their JSON text, since times decoded
// from JSON lose their location pointer.
func normalize(t *testing.T, r *JSONReport) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestJSONEmptyListsAreNotNull(t *testing.T) {
	r := &Report{Tool: Tool{Name: "sprawl"}}
	var buf bytes.Buffer
	if err := (JSONWriter{}).Write(&buf, r, DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("null")) {
		t.Errorf("empty report has nulls:\n%s", buf.String())
	}
}

func TestJSONNoRedact(t *testing.T) {
	opts := fixtureOptions()
	opts.Redact = false
	got := BuildJSON(fixtureReport(), opts)
	if got.Redacted || got.Findings[0].Secret != secretGitHub || got.Findings[0].Context != "GITHUB_TOKEN="+secretGitHub {
		t.Errorf("--no-redact report hides the secret: %+v", got.Findings[0])
	}
}
