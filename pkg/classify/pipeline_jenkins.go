package classify

import (
	"bytes"
	"regexp"
	"strings"
)

// FormatGroovy is a Jenkinsfile, read by a tolerant line reader: Groovy
// is code, so only the forms below are understood, one line at a time,
// and anything else is left alone.
const FormatGroovy Format = "Groovy"

var (
	// NAME = 'value' in an environment { } block, or env.NAME = 'value'.
	groovyAssign = regexp.MustCompile(`^\s*(env\.)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'([^'\n]*)'|"([^"\n]*)")\s*$`)
	// withCredentials bindings name the variable a credential is bound to.
	groovyBinding = regexp.MustCompile(`\b(?:variable|usernameVariable|passwordVariable|keyFileVariable|passphraseVariable|tokenVariable)\s*:\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]`)
	groovyCredID  = regexp.MustCompile(`\bcredentialsId\s*:\s*['"]([^'"\n]+)['"]`)
	// NAME = credentials('id') in an environment block.
	groovyCredEnv = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*credentials\(\s*['"]([^'"\n]+)['"]`)
	// withVault secretValues name the variable a Vault key is set to.
	groovyVaultEnv = regexp.MustCompile(`\benvVar\s*:\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]`)
)

// jenkins reads a Jenkinsfile line by line: literals in environment
// blocks, the variables credentials and Vault secrets are bound to, and
// every code line as script for the log-leak check.
func (s *pipelineScan) jenkins() {
	var (
		literals  []Leaf
		envDepth  = -1 // brace depth of the open environment block
		depth     int
		lastVault *Finding
	)
	vaultRefs := map[int]*Finding{}
	for i := range s.out {
		if f := &s.out[i]; f.Reference != nil && f.Reference.Pattern == "jenkins-vault-plugin" {
			vaultRefs[s.lines.lineOf(s.rel(*f))] = f
		}
	}
	s.blocks = [][]entry{nil}
	forEachLine(s.ch.Data, func(n, off int, line []byte) {
		code := line
		if i := bytes.Index(code, []byte("//")); i >= 0 && !bytes.Contains(code[:i], []byte(":")) {
			code = code[:i] // a comment, not a URL's //
		}
		t := strings.TrimSpace(string(code))
		if t == "" || strings.HasPrefix(t, "*") || strings.HasPrefix(t, "/*") {
			return
		}
		lead := len(code) - len(bytes.TrimLeft(code, " \t"))
		s.blocks[0] = append(s.blocks[0], entry{text: t, start: off + lead, end: off + lead + len(t)})
		if strings.HasPrefix(t, "environment") && strings.HasSuffix(t, "{") {
			envDepth = depth
		}
		if m := groovyAssign.FindSubmatchIndex(code); m != nil && (envDepth >= 0 || m[2] >= 0) {
			vs, ve := m[6], m[7]
			if vs < 0 {
				vs, ve = m[8], m[9]
			}
			literals = append(literals, Leaf{Path: string(code[m[4]:m[5]]), Key: string(code[m[4]:m[5]]), Value: string(code[vs:ve]),
				Line: n, Start: off + vs, End: off + ve})
		}
		if m := groovyCredEnv.FindSubmatch(code); m != nil {
			s.secrets[string(m[1])] = secretSource{"Jenkins", string(m[2])}
		}
		if id := groovyCredID.FindSubmatch(code); id != nil {
			for _, b := range groovyBinding.FindAllSubmatch(code, -1) {
				s.secrets[string(b[1])] = secretSource{"Jenkins", string(id[1])}
			}
		}
		if f, ok := vaultRefs[n]; ok {
			lastVault = f
		}
		if lastVault != nil {
			for _, v := range groovyVaultEnv.FindAllSubmatch(code, -1) {
				s.exports[string(v[1])] = export{ref: *lastVault.Reference, line: n}
			}
		}
		depth += bytes.Count(code, []byte("{")) - bytes.Count(code, []byte("}"))
		if envDepth >= 0 && depth <= envDepth {
			envDepth = -1
		}
	})
	s.literalLeaves(literals, FormatGroovy)
}
