package sources

import (
	"strings"
	"testing"
)

func TestReadAllLimited(t *testing.T) {
	if b, err := ReadAllLimited(strings.NewReader("abcd"), 4); err != nil || string(b) != "abcd" {
		t.Errorf("at the limit: %q, %v", b, err)
	}
	if b, err := ReadAllLimited(strings.NewReader("abcde"), 4); err == nil || b != nil || !strings.Contains(err.Error(), "larger than 4 bytes") {
		t.Errorf("over the limit: %q, %v; want an error and nothing read", b, err)
	}
}
