package detect

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A counted repeat x{n,m} compiles to m copies of x, the last m-n of them
// optional and nested, so the generic rules' values ({6,200}) and key
// prefixes ({0,40}?) made programs of 900 to 1,100 instructions. Go's
// regexp runs a program of more than 500 on its slowest path (the NFA
// simulation), and compiling one on a scan's path took a millisecond or
// more. openRepeats makes such a repeat open-ended and measures it with a
// capture group instead: the rule's regex then runs the open pattern, and
// only a window where a measured repeat went past its bound is run again
// with the pattern as written.
//
// That gives the written pattern's matches exactly. The open pattern
// matches every path the written one does and more (a repeat may go on
// past m), in the same order of preference, since x{n,m} and x{n,} make
// the same choices, "one more" before "stop" (or after, when lazy), up to
// m. So if the preferred path of the open pattern at the leftmost place
// stays within every bound, the written pattern has it too, every path it
// preferred failed in both, and both report it; and the search for the
// next match starts at the same place.

// minOpenedSpan is the least m-n worth opening: below it the copies cost
// less than the capture group that replaces them.
const minOpenedSpan = 8

// boundGroupPrefix starts the name of a capture group that measures an
// opened repeat; the name ends with the repeat's bound, so that the open
// pattern carries everything needed to read it.
const boundGroupPrefix = "sprawlbound"

// repeatBound is one opened repeat: its capture group in the open pattern
// and the most characters the written pattern lets it take.
type repeatBound struct {
	group int
	max   int
}

// openRepeats rewrites re in place, opening each counted repeat of one
// character (a class, a literal character, any character) with m-n of at
// least minOpenedSpan that lies under no other repeat (a group inside a
// loop reports only its last round), and returns the open pattern, or ""
// when it opened nothing. Each opened repeat is wrapped in a capture
// group named boundGroupPrefix, its number and its bound.
func openRepeats(re *syntax.Regexp) string {
	opened := 0
	var walk func(re *syntax.Regexp, looped bool)
	walk = func(re *syntax.Regexp, looped bool) {
		if re.Op == syntax.OpRepeat && !looped && re.Max-re.Min >= minOpenedSpan && oneCharacter(re.Sub[0]) {
			name := boundGroupPrefix + strconv.Itoa(opened) + "_" + strconv.Itoa(re.Max)
			opened++
			open := *re
			open.Max = -1
			// Sub may be backed by the node's own Sub0, which the
			// assignment below clears.
			open.Sub = []*syntax.Regexp{re.Sub[0]}
			*re = syntax.Regexp{Op: syntax.OpCapture, Name: name, Sub: []*syntax.Regexp{&open}}
			return
		}
		switch re.Op {
		case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
			looped = true
		}
		for _, sub := range re.Sub {
			walk(sub, looped)
		}
	}
	walk(re, false)
	if opened == 0 {
		return ""
	}
	return re.String()
}

// oneCharacter reports whether re always matches exactly one character.
func oneCharacter(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	case syntax.OpLiteral:
		return len(re.Rune) == 1
	}
	return false
}

// groups are the capture groups a rule's regex reports its parts in.
type groups struct {
	secret []int // groups named "secret", else group 1; the first that took part is the secret
	key    int   // the group named "key" (the name a value is assigned to), or 0
	bounds []repeatBound
}

func groupsOf(re *regexp.Regexp) groups {
	var g groups
	first := 0 // group 1 of the pattern as written
	for i, name := range re.SubexpNames() {
		if i == 0 {
			continue
		}
		if rest, ok := strings.CutPrefix(name, boundGroupPrefix); ok {
			_, bound, _ := strings.Cut(rest, "_")
			if max, err := strconv.Atoi(bound); err == nil {
				g.bounds = append(g.bounds, repeatBound{group: i, max: max})
				continue
			}
		}
		if first == 0 {
			first = i
		}
		switch {
		case name == "secret":
			g.secret = append(g.secret, i)
		case name == "key" && g.key == 0:
			g.key = i
		}
	}
	if len(g.secret) == 0 && first > 0 {
		g.secret = []int{first}
	}
	return g
}

// written is a rule's pattern as written, with its groups.
type written struct {
	re     *regexp.Regexp
	groups groups
}

// matches returns the rule's matches in win and the groups to read them
// by: the open pattern's, unless an opened repeat went past its bound in
// one of them, and then the written pattern's.
func (c *compiledRule) matches(r *Rule, win []byte) ([][]int, *groups) {
	c.regex(r)
	locs := c.re.FindAllSubmatchIndex(win, -1)
	if len(c.groups.bounds) > 0 {
		for _, loc := range locs {
			if !c.groups.withinBounds(win, loc) {
				w := c.asWritten(r)
				return w.re.FindAllSubmatchIndex(win, -1), &w.groups
			}
		}
	}
	return locs, &c.groups
}

// matchesAny reports whether the rule's pattern as written matches win.
func (c *compiledRule) matchesAny(r *Rule, win []byte) bool {
	c.regex(r)
	if len(c.groups.bounds) == 0 {
		return c.re.Match(win)
	}
	loc := c.re.FindSubmatchIndex(win)
	if loc == nil {
		return false
	}
	return c.groups.withinBounds(win, loc) || c.asWritten(r).re.Match(win)
}

// asWritten compiles the pattern as written, once, when a window first
// needs it.
func (c *compiledRule) asWritten(r *Rule) *written {
	c.writtenOnce.Do(func() {
		re := regexp.MustCompile(r.Pattern) // it parsed when the rule was built
		c.written = &written{re: re, groups: groupsOf(re)}
	})
	return c.written
}

// withinBounds reports whether every opened repeat that took part in the
// match at loc stayed within its written bound.
func (g *groups) withinBounds(win []byte, loc []int) bool {
	for _, b := range g.bounds {
		if s, e := loc[2*b.group], loc[2*b.group+1]; s >= 0 && e-s > b.max && utf8.RuneCount(win[s:e]) > b.max {
			return false
		}
	}
	return true
}
