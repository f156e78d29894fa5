package classify

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// scriptKeys are the keys whose values each platform runs as shell (or
// PowerShell) commands.
var scriptKeys = map[Platform][]string{
	GitHubActions:   {"run"},
	GitLabCI:        {"script", "before_script", "after_script"},
	CircleCI:        {"run", "command"},
	AzurePipelines:  {"script", "bash", "pwsh", "powershell", "inlineScript"},
	BitbucketPipes:  {"script", "after-script"},
	TravisCI:        {"script", "before_install", "install", "before_script", "after_success", "after_failure", "after_script", "before_deploy", "after_deploy"},
	DroneWoodpecker: {"commands", "command"},
	Buildkite:       {"command", "commands"},
}

// scriptBlocks groups the lines of the chunk's scripts into the blocks
// one shell runs: a block scalar, or a list of commands (GitLab's script:
// items share a shell, so set -x in one traces the next).
func (s *pipelineScan) scriptBlocks() [][]entry {
	if s.blocks != nil {
		return s.blocks
	}
	keys := scriptKeys[s.platform]
	var order []string
	byBlock := map[string][]entry{}
	for _, l := range s.leaves {
		if !slices.Contains(keys, l.Key) {
			continue
		}
		block := strings.TrimRightFunc(l.Path, func(r rune) bool { return r >= '0' && r <= '9' || r == '[' || r == ']' })
		if _, ok := byBlock[block]; !ok {
			order = append(order, block)
		}
		byBlock[block] = append(byBlock[block], entries(s.ch.Data, l, "")...)
	}
	var out [][]entry
	for _, b := range order {
		out = append(out, byBlock[b])
	}
	return out
}

// use is a secret used on a script line.
type use struct {
	start, end int
	name       string
	src        secretSource
}

// usesIn finds the secrets an entry uses: references in it, and uses of
// variables known to hold a secret.
func (s *pipelineScan) usesIn(e entry) []use {
	var out []use
	for _, f := range s.out {
		o := s.rel(f)
		if f.Reference == nil || o < e.start || o >= e.end || strings.HasPrefix(f.Reference.Pattern, "ci-") && f.Reference.Pattern != "ci-fetched-env" {
			continue
		}
		u := use{start: o, end: o + len(f.Match), name: f.Reference.Target, src: secretSource{f.Reference.Provider, f.Reference.Target}}
		if known, ok := s.secrets[u.name]; ok && known.provider != "" {
			u.src = known // $TOKEN assigned ${{ secrets.X }}: the secret is X
		}
		out = append(out, u)
	}
	if p := s.pattern("ci-fetched-env"); p != nil {
		ti := p.targetGroup
		for _, m := range p.re.FindAllStringSubmatchIndex(e.text, -1) {
			name := e.text[m[2*ti]:m[2*ti+1]]
			src, ok := s.secrets[name]
			if !ok {
				continue
			}
			start := e.start + m[0]
			if slices.ContainsFunc(out, func(u use) bool { return u.start <= start && start < u.end }) {
				continue
			}
			out = append(out, use{start: start, end: e.start + m[1], name: name, src: src})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// commandEnd cuts a line at the end of the command starting at i.
var commandEnd = regexp.MustCompile(`;|&&|\|\|`)

// printedToLog reports whether the output of the command text goes to
// the job log: not when piped into another command (echo $X | docker
// login --password-stdin is how secrets should be passed) or redirected
// to a file, unless through tee or to the terminal's streams.
func printedToLog(cmd string) bool {
	if i := strings.IndexByte(cmd, '|'); i >= 0 {
		return strings.HasPrefix(strings.TrimSpace(cmd[i+1:]), "tee")
	}
	if i := strings.IndexByte(cmd, '>'); i >= 0 {
		rest := strings.TrimSpace(cmd[i+1:])
		return strings.HasPrefix(rest, "&") || strings.HasPrefix(rest, "/dev/std")
	}
	return true
}

// logLeaks reports script lines that print a secret, and shell traces or
// environment dumps in scripts that handle secrets.
func (s *pipelineScan) logLeaks() {
	echo, trace := s.pattern("ci-secret-echo"), s.pattern("ci-shell-trace")
	if echo == nil || trace == nil {
		return
	}
	for _, block := range s.scriptBlocks() {
		uses := make([][]use, len(block))
		var all []use
		for i, e := range block {
			uses[i] = s.usesIn(e)
			all = append(all, uses[i]...)
		}
		// An echo leaks only a secret its line uses, a trace only one its
		// block uses or (a dump) one the job holds: most script lines use
		// none, and are not searched.
		traceCanLeak := len(all) > 0 || len(s.secrets) > 0
		for i, e := range block {
			if len(uses[i]) > 0 {
				if m := echo.re.FindStringIndex(e.text); m != nil {
					s.echoLeak(echo, e, m[0], uses[i])
				}
			}
			if traceCanLeak {
				if m := trace.re.FindStringIndex(e.text); m != nil {
					s.traceLeak(trace, e, m, all)
				}
			}
		}
	}
}

func (s *pipelineScan) echoLeak(p *Pattern, e entry, at int, uses []use) {
	cmd := e.text[at:]
	if loc := commandEnd.FindStringIndex(cmd); loc != nil {
		cmd = cmd[:loc[0]]
	}
	if !printedToLog(cmd) {
		return
	}
	start := e.start + at
	for _, u := range uses {
		if u.start < start || u.start >= start+len(cmd) {
			continue
		}
		verb := strings.Fields(cmd)[0]
		ev := fmt.Sprintf("%s prints %s into the job log%s: %s", verb, u.name, s.masking(), p.Evidence)
		s.addReference(p, start, u.end, s.leakRef(u), u.name, ev)
		return
	}
}

func (s *pipelineScan) traceLeak(p *Pattern, e entry, m []int, blockUses []use) {
	text := strings.TrimLeft(e.text[m[0]:m[1]], ";&|( \t")
	text = strings.TrimRight(text, ";&|) \t")
	start := e.start + strings.Index(e.text[m[0]:], text) + m[0]
	var names []string
	var first *use
	if strings.HasPrefix(text, "set") {
		// A trace shows the commands of its own shell: it leaks only the
		// secrets those commands use.
		for i := range blockUses {
			if !slices.Contains(names, blockUses[i].name) {
				names = append(names, blockUses[i].name)
			}
		}
		if len(blockUses) > 0 {
			first = &blockUses[0]
		}
	} else {
		// A dump prints the whole environment: every secret the job holds.
		for n := range s.secrets {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) > 0 {
			src := s.secrets[names[0]]
			first = &use{name: names[0], src: src}
		}
	}
	if first == nil {
		return
	}
	ev := fmt.Sprintf("%s in a script that handles %s%s: %s", text, strings.Join(names, ", "), s.masking(), p.Evidence)
	s.addReference(p, start, start+len(text), s.leakRef(*first), first.name, ev)
}

// leakRef points a leak at the secret it shows, so that it joins that
// secret's credential in the inventory (and makes it unmanaged).
func (s *pipelineScan) leakRef(u use) Reference {
	if u.src.provider == "" {
		return Reference{Provider: string(s.platform), Target: u.name}
	}
	return Reference{Provider: u.src.provider, Target: u.src.target}
}

// masking says what the platform's log masking does and does not do.
func (s *pipelineScan) masking() string {
	return " (" + string(s.platform) + " masks only the exact value of a secret it knows)"
}
