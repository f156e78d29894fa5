package report

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// TestCSVRoundTrip reads the CSV back with encoding/csv and checks every
// cell, including paths and authors that need quoting or formula guards.
func TestCSVRoundTrip(t *testing.T) {
	r := fixtureReport()
	r.Findings[0].Origin = &sources.Origin{Source: sources.KindFile, Path: "dir, with \"quotes\"\nand a newline/app.env"}
	aws := r.Findings[2]
	g := *aws.Origin.Git
	g.Author = "=HYPERLINK(\"http://evil\")"
	aws.Origin = &sources.Origin{Source: aws.Origin.Source, Path: aws.Origin.Path, Git: &g}
	r.Findings[2] = aws

	for _, redact := range []bool{true, false} {
		opts := fixtureOptions()
		opts.Redact = redact
		var buf bytes.Buffer
		if err := (CSVWriter{}).Write(&buf, r, opts); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		if len(rows) != len(r.Findings)+len(r.References)+1 {
			t.Fatalf("%d rows, want header + %d findings + %d references", len(rows), len(r.Findings), len(r.References))
		}
		for i, f := range r.References {
			row := rows[1+len(r.Findings)+i]
			if row[3] != string(f.Class) || row[8] != "" || !strings.HasSuffix(row[len(row)-1], f.Reference.Target) {
				t.Errorf("reference row %d = %q", i, row)
			}
		}
		if got := rows[0]; len(got) != len(csvHeader) || got[0] != "fingerprint" || got[12] != "decoded" || got[13] != "nhi" {
			t.Errorf("header = %q", got)
		}
		for i, f := range r.Findings {
			row := rows[i+1]
			cell := func(name string) string {
				for j, h := range csvHeader {
					if h == name {
						return row[j]
					}
				}
				t.Fatalf("no column %s", name)
				return ""
			}
			wantSecret := f.Secret
			if redact {
				wantSecret = Redact(f.Secret)
			}
			checks := map[string]string{
				"fingerprint": Fingerprint(f, testKey),
				"rule_id":     f.Rule.ID,
				"severity":    f.Rule.Severity,
				"class":       string(f.Class),
				"path":        f.Origin.Path,
				"line":        strconv.Itoa(f.Line),
				"column":      strconv.Itoa(f.Column),
				"secret":      wantSecret,
				"decoded":     f.Decoded,
			}
			if f.Origin.Git != nil {
				checks["commit"] = f.Origin.Git.Commit
				checks["author"] = neutralizeFormula(f.Origin.Git.Author)
			}
			for name, want := range checks {
				if got := cell(name); got != want {
					t.Errorf("redact=%v row %d %s = %q, want %q", redact, i, name, got, want)
				}
			}
		}
	}
}

func TestNeutralizeFormula(t *testing.T) {
	for in, want := range map[string]string{
		"":          "",
		"a/b.txt":   "a/b.txt",
		"=1+1":      "'=1+1",
		"+cmd":      "'+cmd",
		"-x":        "'-x",
		"@SUM(A1)":  "'@SUM(A1)",
		"\tpadding": "'\tpadding",
	} {
		if got := neutralizeFormula(in); got != want {
			t.Errorf("neutralizeFormula(%q) = %q, want %q", in, got, want)
		}
	}
}
