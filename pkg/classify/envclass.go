package classify

import (
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/sources/env"
)

// FromProcessEnvironment judges a literal found in a process's own
// environment (sprawl env); findings from any other place are returned
// as they are.
//
// Such a value is externalized. The job's code and configuration do not
// hold it: something outside handed it to the process (a CI variable, a
// secret store's step, the runner), which is exactly what an environment
// variable reference in code points at. It is not managed, because the
// environment cannot tell a secrets manager's short-lived value from a
// CI variable nobody rotates. It is not unmanaged either: calling every
// credential a job holds a leak would make the gate meaningless.
//
// That is one occurrence, not the credential's last word. The inventory
// groups occurrences by a keyed hash of the value and a credential is as
// exposed as its worst copy, so a value that is also a literal in a
// repository or an image (reports merged with sprawl merge) is an
// unmanaged credential found in several places: reuse (NHI9), not a
// managed one.
//
// References inside a value (DB_PASSWORD=vault:...) and values a
// reference pattern already covers keep their class.
func FromProcessEnvironment(f Finding) Finding {
	if f.Origin == nil || f.Origin.Source != env.Kind || f.IsReference() || f.Class != Unmanaged {
		return f
	}
	f.Class = Externalized
	f.NHI = nil // not a leak: BuildInventory maps what the spread shows
	name := f.Key
	if name == "" {
		name = strings.TrimPrefix(f.Origin.Path, env.PathPrefix)
	}
	f.Evidence = "value of variable " + name + " in the process environment: handed to the job from outside its code; " +
		"the environment does not say whether a secrets manager or a plain CI variable supplied it"
	return f
}
