package classify

import (
	"regexp"
	"strings"
)

var azureTask = regexp.MustCompile(`^(.*steps\[\d+\])\.task$`)

// azure reads Azure Pipelines: the AzureKeyVault task sets one secret
// variable per name of its SecretsFilter, read from the named vault.
func (s *pipelineScan) azure() {
	p := s.pattern("azure-keyvault-task")
	for _, l := range s.leaves {
		m := azureTask.FindStringSubmatch(l.Path)
		if m == nil || !strings.HasPrefix(strings.ToLower(l.Value), "azurekeyvault@") {
			continue
		}
		// Task input names are case-insensitive.
		vault, _ := s.leafFold(m[1] + ".inputs.keyvaultname")
		filter, ok := s.leafFold(m[1] + ".inputs.secretsfilter")
		if !ok || vault.Value == "" {
			continue
		}
		for _, e := range entries(s.ch.Data, filter, ",") {
			name := strings.Trim(e.text, `'"`)
			target := vault.Value + "/" + name
			if p == nil || !p.re.MatchString(target) {
				continue
			}
			if name == "*" {
				s.fetch(p, e.start, e.end, target, "") // every secret: no name to follow
				continue
			}
			s.fetch(p, e.start, e.end, target, "", name)
		}
	}
}

// leafFold returns the leaf at a path compared without case.
func (s *pipelineScan) leafFold(path string) (Leaf, bool) {
	for _, l := range s.leaves {
		if strings.EqualFold(l.Path, path) {
			return l, true
		}
	}
	return Leaf{}, false
}
