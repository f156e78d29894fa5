package classify

import (
	"fmt"
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
