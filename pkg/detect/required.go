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

// requiredLiterals works out, from a pattern's syntax, strings one of
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
func requiredLiterals(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	return required(re)
}

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
