package classify

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// References that count only when secret-named are looked for only in
// windows holding a secret-key word. On a long script mixing such lines
// with plain variable uses and filler, every line whose assigned name or
// referenced variable is secret-named must still be found, at its line,
// and no other.
func TestSecretNamedReferencesInLongScript(t *testing.T) {
	c := loadSet(t)
	keys := c.set.Keys
	names := []string{"DB_PASSWORD", "HOME", "apiKey", "BUILD_DIR", "GITHUB_TOKEN", "VERSION", "client_secret", "PATH", "AUTH", "COUNT"}
	forms := []string{"$%s", "${%s}", "${%s:-x}"}
	var b strings.Builder
	want := map[int]string{}
	line := 0
	emit := func(s string) {
		line++
		b.WriteString(s + "\n")
	}
	for i, key := range names {
		for j, target := range names {
			form := forms[(i+j)%len(forms)]
			for k := 0; k < (i*j)%4; k++ {
				emit(fmt.Sprintf("echo building part %d of $COUNT in $BUILD_DIR", k))
			}
			emit(fmt.Sprintf("export %s=\"%s\"", key, fmt.Sprintf(form, target)))
			if keys.SecretNamed(key) || keys.SecretNamed(target) {
				want[line] = target
			}
		}
	}
	got := map[int]string{}
	for _, fs := range refsIn(c, "deploy.sh", b.String()) {
		for _, f := range fs {
			got[f.Line] = f.Reference.Target
		}
	}
	if len(want) < 20 {
		t.Fatalf("generator produced only %d secret-named lines", len(want))
	}
	for l, target := range want {
		if got[l] != target {
			t.Errorf("line %d: reference to %s not found (got %q)", l, target, got[l])
		}
	}
	for l, target := range got {
		if _, ok := want[l]; !ok {
			t.Errorf("line %d: unexpected reference to %s", l, target)
		}
	}
}

// A hit makes a window only when the window holds a secret-key word, and
// the choice is made before windows merge: in a script with a $ on every
// line and one key word, the regex runs on the three lines around it,
// not on the whole file that the merged windows of every $ would cover.
func TestKeywordWindowsKeepOnlyHitsNearKeyWords(t *testing.T) {
	var b strings.Builder
	var dollars []int
	keyLine := 500
	var keyWord, lineStart []int
	for i := range 1000 {
		lineStart = append(lineStart, b.Len())
		if i == keyLine {
			keyWord = append(keyWord, b.Len()+len("export "))
			b.WriteString("export DB_PASSWORD=")
		} else {
			b.WriteString("echo ")
		}
		dollars = append(dollars, b.Len())
		b.WriteString("$VALUE\n")
	}
	data := []byte(b.String())
	wins := keywordWindows(data, dollars, keyWord)
	want := [][2]int{{lineStart[keyLine-1], lineStart[keyLine+2]}}
	if !slices.Equal(wins, want) {
		t.Errorf("windows %v, want %v (lines %d to %d)", wins, want, keyLine-1, keyLine+1)
	}
	// Without key words every hit counts and the windows merge into one.
	if all := keywordWindows(data, dollars, nil); len(all) != 1 || all[0] != [2]int{0, len(data)} {
		t.Errorf("windows without key words %v, want the whole text", all)
	}
	if none := keywordWindows(data, dollars, []int{}); len(none) != 0 {
		t.Errorf("windows with no key word in the text %v, want none", none)
	}
}

// A reference at the start of a line is reported on that line, at column
// 1: the pattern's leading delimiter is then the line break before it,
// which belongs to the line above.
func TestReferenceAtLineStartIsOnItsLine(t *testing.T) {
	c := loadSet(t)
	got := refsIn(c, "deploy.sh", "echo start\n$DB_PASSWORD --flag\nmysql -p\"$DB_PASSWORD\" db\n")["env-dollar"]
	if len(got) != 2 {
		t.Fatalf("%d env-dollar references, want 2", len(got))
	}
	if got[0].Line != 2 || got[0].Column != 1 || got[1].Line != 3 {
		t.Errorf("references at %d:%d and %d:%d, want 2:1 and 3:10", got[0].Line, got[0].Column, got[1].Line, got[1].Column)
	}
}
