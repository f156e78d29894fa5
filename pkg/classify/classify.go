// Package classify decides, for each credential, whether it is managed,
// externalized or unmanaged, groups its occurrences into an inventory,
// and maps what the inventory shows to the OWASP NHI Top 10.
//
// A detected value is a literal (unmanaged). A value that only names a
// secret kept elsewhere is a reference: externalized when it points at a
// CI secret store or the environment, managed when it points at a secrets
// manager. The reference forms are data (rules/references/*.yaml); this
// package reads chunks it is handed and does no I/O of its own.
package classify

import (
	"github.com/sprawl-sec/sprawl/pkg/detect"
)

// Class is how a credential is kept.
type Class string

// Classes, from worst to best.
const (
	Unmanaged    Class = "unmanaged"
	Externalized Class = "externalized"
	Managed      Class = "managed"
)

// Rank orders classes from worst (0) to best; unknown classes rank worst.
func (c Class) Rank() int {
	switch c {
	case Externalized:
		return 1
	case Managed:
		return 2
	}
	return 0
}

// ParseClass reads a class name as given on the command line.
func ParseClass(s string) (Class, bool) {
	switch Class(s) {
	case Unmanaged, Externalized, Managed:
		return Class(s), true
	}
	return "", false
}

// Fails reports whether a finding of class c fails a gate set to failOn:
// the gate fails on failOn and on everything worse. Managed never fails.
func (c Class) Fails(failOn Class) bool {
	return c != Managed && c.Rank() <= failOn.Rank()
}

// Finding is one occurrence of a credential: a detected literal, or a
// reference to a secret kept elsewhere (then Secret is empty and
// Reference says what it points at).
type Finding struct {
	detect.Finding
	Class Class
	// Evidence says why the class was chosen.
	Evidence string
	// NHI lists the OWASP NHI Top 10 risks of the credential this
	// occurrence belongs to (set by BuildInventory).
	NHI []string
	// OwnNHI lists risks the occurrence shows by itself, whatever its
	// credential's class and age: a cloud key in a CI workflow that could
	// use OIDC federation is long-lived by design (NHI7). BuildInventory
	// adds them to the credential's NHI.
	OwnNHI []string
	// Key is the key or variable the value is assigned to, when known.
	Key string
	// Format is the parsed format the key and value were read from.
	Format Format
	// Reference is set for references.
	Reference *Reference

	// Set by BuildInventory (or read back from a JSON report):
	Credential   string   // id of the credential: a keyed hash, never the value
	Service      string   // service, repository or image the place belongs to
	Environments []string // prod, staging, dev hints from path, key and CI
	Owners       []string // CODEOWNERS owners of the path
}

// Reference is what a reference occurrence points at.
type Reference struct {
	Pattern  string `json:"pattern"`
	Provider string `json:"provider"`
	// Target names the referenced secret: a variable name, a path, an
	// ARN. It is an address, not a value.
	Target string `json:"target"`
	// Global is true when Target names one secret everywhere.
	Global bool `json:"global,omitempty"`
}

// Identity is what tells two occurrences at one place apart: the secret
// itself for a literal (hashed before it is stored anywhere), and the
// pattern, target and key for a reference.
func (f Finding) Identity() string {
	if f.Reference == nil {
		return f.Secret
	}
	return "ref\x00" + f.Reference.Pattern + "\x00" + f.Reference.Target + "\x00" + NormalizeKey(f.Key)
}

// IsReference reports whether the occurrence is a reference.
func (f Finding) IsReference() bool { return f.Reference != nil }

// NHI risk ids (OWASP Non-Human Identities Top 10, 2025).
const (
	NHI2 = "NHI2" // Secret Leakage
	NHI7 = "NHI7" // Long-Lived Secrets
	NHI8 = "NHI8" // Environment Isolation
	NHI9 = "NHI9" // NHI Reuse
)
