package detect

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
)

// minRequiredLen is the shortest literal worth checking for before a
// regex runs: shorter ones are in most windows anyway.
const minRequiredLen = 3

// required works out, from a parsed pattern, strings one of
// which every match must contain, so that a window holding none of them
// is not handed to the regex at all. It returns nil when there is no such
// set worth checking. The check is containsAnyFold, which ignores ASCII
// case: a case-insensitive literal is kept only if its letters have no
// case variant outside ASCII (a (?i)k also matches the Kelvin sign).
//
// Most rules' windows are chosen by a keyword the pattern itself starts
// with, and gain nothing; the ones that gain are those whose pattern
// needs a second word the keyword does not imply (a Maven <server> entry
// needs <password>), whose windows are long and go to the regex engine's
// slowest path.
func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 && !asciiFoldOnly(re.Rune) {
			return nil
		}
		if s := string(re.Rune); len(s) >= minRequiredLen {
			return []string{s}
		}
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		// Any part's set will do; the one whose shortest string is
		// longest filters best.
		var best []string
		for _, sub := range re.Sub {
			if set := required(sub); set != nil && shortest(set) > shortest(best) {
				best = set
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			set := required(sub)
			if set == nil {
				return nil // this branch can match without any literal
			}
			all = append(all, set...)
		}
		return all
	}
	return nil
}

func shortest(set []string) int {
	if len(set) == 0 {
		return 0
	}
	n := len(set[0])
	for _, s := range set[1:] {
		n = min(n, len(s))
	}
	return n
}

// asciiFoldOnly reports whether every rune's case variants are ASCII.
func asciiFoldOnly(runes []rune) bool {
	for _, r := range runes {
		if r > unicode.MaxASCII {
			return false
		}
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f > unicode.MaxASCII {
				return false
			}
		}
	}
	return true
}

// impliedByKeywords reports whether every keyword of the rule contains
// one of the required strings: a window holds one of its keywords, so
// checking for them would add nothing.
func impliedByKeywords(set, keywords []string) bool {
	for _, k := range keywords {
		k = strings.ToLower(k)
		if !slices.ContainsFunc(set, func(s string) bool { return strings.Contains(k, strings.ToLower(s)) }) {
			return false
		}
	}
	return true
}

// tailOf works out, from a parsed pattern whose top level is a sequence,
// a smaller pattern that every match must also match: the part from the
// one just before the "secret" capture to the end (for a generic rule,
// the quote, the value and the closing quote). Captures are dropped and
// a bounded repeat x{n,m} is relaxed to x{n,}, which only widens what it
// matches, so a window it does not match cannot hold a match of the
// whole. It returns "" when there is no smaller part to check: no
// sequence at the top, or the secret already near its start.
//
// The point is cost. A generic rule's pattern starts with an alternation
// of key names that the regex engine tries at every byte of the window;
// the tail is a few instructions, and most lines with a secret-like key
// word hold no quoted value at all.
func tailOf(re *syntax.Regexp) string {
	for re.Op == syntax.OpCapture && re.Name != "secret" {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat {
		return ""
	}
	at := slices.IndexFunc(re.Sub, holdsSecret)
	if at < 2 || !delimiter(re.Sub[at-1]) {
		return ""
	}
	tail := &syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: slices.Clone(re.Sub[at-1:])}
	return loosen(tail).String()
}

// delimiter reports whether re is one literal or one of a few bytes (a
// quote), which a tail must start with to be worth checking: a tail that
// starts with optional blanks or a broad class matches almost any line.
func delimiter(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return true
	case syntax.OpCharClass:
		n := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			n += int(re.Rune[i+1]-re.Rune[i]) + 1
		}
		return n <= 8
	}
	return false
}

func holdsSecret(re *syntax.Regexp) bool {
	if re.Op == syntax.OpCapture && re.Name == "secret" {
		return true
	}
	return slices.ContainsFunc(re.Sub, holdsSecret)
}

// loosen returns a copy of re without captures and with each bounded
// repeat's upper bound dropped.
func loosen(re *syntax.Regexp) *syntax.Regexp {
	if re.Op == syntax.OpCapture {
		return loosen(re.Sub[0])
	}
	c := *re
	c.Sub = nil
	for _, s := range re.Sub {
		c.Sub = append(c.Sub, loosen(s))
	}
	if c.Op == syntax.OpRepeat && c.Max > c.Min {
		c.Max = -1
	}
	return &c
}
