package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/sources"
)

func writeSARIF(t *testing.T, r *Report, opts Options) (string, *sarifLog) {
	t.Helper()
	var buf bytes.Buffer
	if err := (SARIFWriter{}).Write(&buf, r, opts); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	return buf.String(), &log
}

// TestNoSecretsWhenRedacting searches the whole output of every format for
// the raw secrets (and the encoded form of the decoded one).
func TestNoSecretsWhenRedacting(t *testing.T) {
	for _, name := range FormatNames() {
		w, _ := Lookup(name)
		for _, color := range []bool{false, true} {
			var buf bytes.Buffer
			opts := fixtureOptions()
			opts.Color, opts.Verbose = color, true
			if err := w.Write(&buf, fixtureReport(), opts); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, s := range fixtureSecrets() {
				for _, piece := range []string{s, s[len(s)/3 : len(s)/3+8]} {
					if strings.Contains(out, piece) {
						t.Errorf("%s output (color %v) holds secret text %q", name, color, piece)
					}
				}
			}
		}
	}
}

func TestSARIFRegionsAndResults(t *testing.T) {
	r := fixtureReport()
	_, log := writeSARIF(t, r, fixtureOptions())
	run := log.Runs[0]
	if len(run.Results) != len(r.Findings)+len(r.References) {
		t.Fatalf("%d results, want %d findings and %d references", len(run.Results), len(r.Findings), len(r.References))
	}
	if len(run.Tool.Driver.Rules) != 10 {
		t.Errorf("%d rules, want the 6 with findings and the 4 reference patterns", len(run.Tool.Driver.Rules))
	}
	all := append(append([]classify.Finding{}, r.Findings...), r.References...)
	for i, res := range run.Results {
		f := all[i]
		if want := "note"; f.Class != classify.Unmanaged && res.Level != want {
			t.Errorf("result %d (%s): level %s, want note", i, f.Class, res.Level)
		}
		if f.Class == classify.Unmanaged && res.Level == "note" && ruleOf(f).Severity != "low" {
			t.Errorf("result %d: a leak at level note", i)
		}
		if res.Properties["class"] != string(f.Class) || res.Properties["evidence"] != f.Evidence {
			t.Errorf("result %d: class/evidence properties %v %v", i, res.Properties["class"], res.Properties["evidence"])
		}
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex %d points at %s, not %s", i, res.RuleIndex, run.Tool.Driver.Rules[res.RuleIndex].ID, res.RuleID)
		}
		reg := res.Locations[0].PhysicalLocation.Region
		if reg.StartLine < 1 || reg.StartColumn < 1 || reg.EndLine < reg.StartLine || reg.EndColumn < 1 ||
			(reg.EndLine == reg.StartLine && reg.EndColumn <= reg.StartColumn) {
			t.Errorf("result %d: bad region %+v", i, reg)
		}
		if reg.Snippet != nil {
			t.Errorf("result %d: snippet while redacting", i)
		}
		if res.PartialFingerprints[partialFingerprintKey] != Fingerprint(f, testKey) {
			t.Errorf("result %d: partial fingerprint %v", i, res.PartialFingerprints)
		}
		if !strings.HasSuffix(res.Message.Text, ".") {
			t.Errorf("result %d: message %q does not end with a period", i, res.Message.Text)
		}
	}
	if msg := run.Results[2].Message.Text; !strings.Contains(msg, "history only") || !strings.Contains(msg, "4b825dc") {
		t.Errorf("history-only message = %q", msg)
	}
	if _, ok := run.Results[2].Properties["git"]; !ok {
		t.Error("history-only result has no git properties")
	}
	if msg := run.Results[4].Message.Text; !strings.Contains(msg, "decoded from base64") {
		t.Errorf("decoded message = %q", msg)
	}
	// Byte column 17 follows "  slack: 日本 ", which is 12 UTF-16 units.
	if reg := run.Results[4].Locations[0].PhysicalLocation.Region; reg.StartColumn != 13 || reg.EndColumn != 13+len(slackEncoded) {
		t.Errorf("decoded region %+v, want UTF-16 columns 13..%d", reg, 13+len(slackEncoded))
	}
	if uri := run.Results[4].Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != "k8s/secret%20%C3%BCn%C3%AF%20%E6%97%A5%E6%9C%AC.yaml" {
		t.Errorf("uri = %q", uri)
	}
}

func TestSARIFNoRedactSnippet(t *testing.T) {
	opts := fixtureOptions()
	opts.Redact = false
	out, log := writeSARIF(t, fixtureReport(), opts)
	if reg := log.Runs[0].Results[0].Locations[0].PhysicalLocation.Region; reg.Snippet == nil || reg.Snippet.Text != secretGitHub {
		t.Errorf("--no-redact region %+v has no snippet", reg)
	}
	if strings.Contains(log.Runs[0].Results[0].Message.Text, secretGitHub) {
		t.Error("the result message holds the secret even with --no-redact")
	}
	if !strings.Contains(out, secretGitHub) {
		t.Error("--no-redact output does not hold the secret")
	}
}

func TestSARIFURIs(t *testing.T) {
	for path, want := range map[string]string{
		"src/main.go":      "src/main.go",
		"./a b/c#d?.txt":   "a%20b/c%23d%3F.txt",
		"c:d/e":            "c%3Ad/e",
		"100%/x":           "100%25/x",
		"/etc/passwd":      "file:///etc/passwd",
		"C:/Users/x y/.rc": "file:///C:/Users/x%20y/.rc",
		"":                 "stdin",
	} {
		f := classify.Finding{}
		f.Origin = &sources.Origin{Source: sources.KindStdin, Path: path}
		if got := sarifArtifact(f).URI; got != want {
			t.Errorf("uri(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestSARIFVersionsAndRoot(t *testing.T) {
	r := fixtureReport()
	r.Tool.Version = "dev"
	r.Root = "/home/me/my repo"
	_, log := writeSARIF(t, r, fixtureOptions())
	d := log.Runs[0].Tool.Driver
	if d.SemanticVersion != "0.0.0-dev" || d.Version != "0.0.0-dev" {
		t.Errorf("dev build: version %q semanticVersion %q", d.Version, d.SemanticVersion)
	}
	if got := log.Runs[0].OriginalURIBaseIDs[srcRoot].URI; got != "file:///home/me/my%20repo/" {
		t.Errorf("%%SRCROOT%% = %q", got)
	}
	for in, want := range map[string]string{"v1.2.3": "1.2.3", "1.2": "1.2", "": "0.0.0-dev", "abc123+dirty": "0.0.0-abc123-dirty"} {
		if got := sarifToolVersion(in); got != want {
			t.Errorf("sarifToolVersion(%q) = %q, want %q", in, got, want)
		}
	}
	if got := pascalCase("aws-access_key.id"); got != "AwsAccessKeyId" {
		t.Errorf("pascalCase = %q", got)
	}
}
