// Package classify decides, for each finding, whether the credential is
// managed, externalized or unmanaged, and maps it to the OWASP NHI Top 10.
//
// The foundation knows one class: every detected value is a literal in the
// scanned content, so it is unmanaged and an NHI2 (Secret Leakage)
// finding. Reference patterns (secrets managers, CI secret stores,
// environment lookups) extend this package without changing its callers.
package classify

import "github.com/sprawl-sec/sprawl/pkg/detect"

// Class is how a credential is kept.
type Class string

// Classes, from worst to best.
const (
	Unmanaged    Class = "unmanaged"
	Externalized Class = "externalized"
	Managed      Class = "managed"
)

// NHI2 is OWASP NHI Top 10 2025 NHI2: Secret Leakage.
const NHI2 = "NHI2"

// Finding is a detected credential with its class.
type Finding struct {
	detect.Finding
	Class Class
	// Evidence says why the class was chosen.
	Evidence string
	// NHI lists the OWASP NHI Top 10 risks the finding shows.
	NHI []string
}

// Classify assigns a class to every finding, keeping their order.
func Classify(findings []detect.Finding) []Finding {
	out := make([]Finding, len(findings))
	for i, f := range findings {
		out[i] = Finding{
			Finding:  f,
			Class:    Unmanaged,
			Evidence: "literal value in scanned content",
			NHI:      []string{NHI2},
		}
	}
	return out
}
