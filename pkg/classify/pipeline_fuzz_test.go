package classify

import (
	"testing"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// FuzzPipeline feeds hostile content to every pipeline reader (the YAML
// ones through a failed or partial parse, the Jenkinsfile line reader,
// the Travis env splitter, GitLab includes): no panic, every occurrence
// inside the chunk, every span in bounds.
func FuzzPipeline(f *testing.F) {
	for _, fx := range pipelineFixtures() {
		f.Add(fx.text)
	}
	f.Add(leakWorkflow)
	f.Add("jobs:\n  a:\n    steps:\n      - uses: hashicorp/vault-action@v3\n        with:\n          secrets: >\n            a b | C ; d e\n            f g\n")
	f.Add("env:\n  global:\n    - \"A=\\\"x y\\\" DB_PASSWORD='q w e r t y'\"\n")
	f.Add("environment {\n  X = '}\n{{{ credentials(' envVar: 'Y' \n")
	c, err := New(mustReferences(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	paths := []string{".github/workflows/a.yml", "action.yml", ".gitlab-ci.yml", ".circleci/config.yml", "azure-pipelines.yml",
		"bitbucket-pipelines.yml", "Jenkinsfile", ".travis.yml", ".drone.yml", ".buildkite/pipeline.yml"}
	f.Fuzz(func(t *testing.T, s string) {
		data := []byte(s)
		GitLabLocalIncludes(data)
		for _, p := range paths {
			res := c.Chunk(sources.Chunk{Data: data, Origin: &sources.Origin{Source: sources.KindFile, Path: p}, StartLine: 1}, nil)
			for _, fd := range res.Findings {
				end := fd.Offset + int64(len(fd.Match))
				if fd.Offset < 0 || end > int64(len(data)) || fd.Line < 1 || fd.EndLine < fd.Line {
					t.Fatalf("%s: finding %s at %d..%d line %d of %d bytes", p, fd.Rule.ID, fd.Offset, end, fd.Line, len(data))
				}
			}
		}
	})
}
