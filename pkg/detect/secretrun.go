package detect

import (
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// secretRun is a cheap check before a rule's regex: every secret the
// pattern can capture is a run of at least min bytes, each of them in
// class, so a window without such a run cannot hold a match. It is worked
// out from the pattern's syntax (secretRunOf).
//
// It is for rules whose windows are chosen by a common word and whose
// secret has a narrow alphabet: an HTTP header rule keyed on "-H " meets
// every curl command line in a project's documentation, and its secret,
// 16 or more hex digits, is in few of them; "pat" starts an Airtable
// token and half the words "path" and "pattern".
type secretRun struct {
	class [256]bool
	min   int
}

// minSecretRun is the shortest run worth checking for: shorter ones are in
// most windows.
const minSecretRun = 8

// secretRunOf returns the check for a parsed pattern, or nil when the
// pattern has no capture to read the secret from or its secret can be
// shorter than minSecretRun.
func secretRunOf(re *syntax.Regexp) *secretRun {
	var secrets []*syntax.Regexp
	var first *syntax.Regexp
	var find func(re *syntax.Regexp)
	find = func(re *syntax.Regexp) {
		if re.Op == syntax.OpCapture {
			if first == nil {
				first = re
			}
			if re.Name == "secret" {
				secrets = append(secrets, re)
			}
		}
		for _, sub := range re.Sub {
			find(sub)
		}
	}
	find(re)
	if len(secrets) == 0 && first != nil {
		secrets = []*syntax.Regexp{first} // the secret is group 1 (Rule.Pattern)
	}
	if len(secrets) == 0 || !alwaysIn(re, secrets) {
		return nil
	}
	run := &secretRun{min: -1}
	for _, s := range secrets {
		n := runOf(s, &run.class)
		if run.min < 0 || n < run.min {
			run.min = n
		}
	}
	if run.min < minSecretRun {
		return nil
	}
	return run
}

// alwaysIn reports whether every match of re goes through one of the
// captures: a match without its secret group reports the whole match as
// the secret, which no run check covers.
func alwaysIn(re *syntax.Regexp, captures []*syntax.Regexp) bool {
	if slices.Contains(captures, re) {
		return true
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return alwaysIn(re.Sub[0], captures)
	case syntax.OpRepeat:
		return re.Min > 0 && alwaysIn(re.Sub[0], captures)
	case syntax.OpConcat:
		return slices.ContainsFunc(re.Sub, func(sub *syntax.Regexp) bool { return alwaysIn(sub, captures) })
	case syntax.OpAlternate:
		return !slices.ContainsFunc(re.Sub, func(sub *syntax.Regexp) bool { return !alwaysIn(sub, captures) })
	}
	return false
}

// runOf adds to class every byte a match of re can hold and returns the
// fewest bytes a match has (counting one per character, which a character
// of any width meets).
func runOf(re *syntax.Regexp, class *[256]bool) int {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			addRune(class, r)
			if re.Flags&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					addRune(class, f)
				}
			}
		}
		return len(re.Rune)
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			addRange(class, re.Rune[i], re.Rune[i+1])
		}
		return 1
	case syntax.OpAnyCharNotNL:
		addRange(class, 0, unicode.MaxRune)
		class['\n'] = false
		return 1
	case syntax.OpAnyChar:
		addRange(class, 0, unicode.MaxRune)
		return 1
	case syntax.OpCapture:
		return runOf(re.Sub[0], class)
	case syntax.OpStar, syntax.OpQuest:
		runOf(re.Sub[0], class)
		return 0
	case syntax.OpPlus:
		return runOf(re.Sub[0], class)
	case syntax.OpRepeat:
		return re.Min * runOf(re.Sub[0], class)
	case syntax.OpConcat:
		n := 0
		for _, sub := range re.Sub {
			n += runOf(sub, class)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, sub := range re.Sub {
			if m := runOf(sub, class); n < 0 || m < n {
				n = m
			}
		}
		return max(n, 0)
	}
	// Empty-width assertions (^, $, \b) hold no bytes. OpNoMatch matches
	// nothing, so any answer is safe.
	return 0
}

// addRune adds the bytes of r's UTF-8 form.
func addRune(class *[256]bool, r rune) {
	if r < utf8.RuneSelf {
		class[r] = true
		return
	}
	addRange(class, r, r)
}

// addRange adds the bytes of every character from lo to hi: ASCII ones
// as they are, and every byte from 0x80 up for the others (and for an
// invalid byte, which the regexp package reads as U+FFFD).
func addRange(class *[256]bool, lo, hi rune) {
	for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
		class[r] = true
	}
	if hi >= utf8.RuneSelf {
		for b := 0x80; b < 0x100; b++ {
			class[b] = true
		}
	}
}

// in reports whether data holds a run of at least run.min bytes of the
// class.
func (run *secretRun) in(data []byte) bool {
	n := 0
	for _, b := range data {
		if !run.class[b] {
			n = 0
			continue
		}
		if n++; n >= run.min {
			return true
		}
	}
	return false
}
