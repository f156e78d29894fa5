// Package env reads the environment a process was given: its variables
// (as os.Environ lists them) or a dotenv file. It is what lets a CI job
// check which credentials it holds.
package env

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Kind is the source kind of a process environment's variables.
const Kind sources.Kind = "env"

// PathPrefix starts the path every variable is reported under:
// "env:AWS_SECRET_ACCESS_KEY". The name says where to look; a bare name
// would read as a file.
const PathPrefix = "env:"

// Source emits one chunk per variable. The environment is handed in
// rather than read here, so that tests do not depend on the real one.
type Source struct {
	// Environ holds "NAME=value" entries, as os.Environ returns them.
	Environ []string
	Limits  sources.Limits
	Stats   *sources.Stats
}

// Variable is one parsed entry of an environment.
type Variable struct {
	Name, Value string
}

// Walk emits each variable as "NAME=value\n", in name order. The name
// stays with the value so that rules and the classifier judge the value
// by its key (a PASSWORD variable, say), as they do in a dotenv file.
func (s *Source) Walk(ctx context.Context, emit func(sources.Chunk) error) error {
	st := s.Stats
	if st == nil {
		st = sources.NewStats()
	}
	for _, v := range Parse(s.Environ, st) {
		if err := ctx.Err(); err != nil {
			return err
		}
		origin := &sources.Origin{Source: Kind, Path: PathPrefix + v.Name}
		data := v.Name + "=" + v.Value + "\n"
		if err := sources.ReadChunks(strings.NewReader(data), origin, int64(len(data)), s.Limits, st, emit); err != nil {
			return err
		}
	}
	return nil
}

// Parse splits "NAME=value" entries and sorts them by name (stably: a
// name given twice keeps both entries, in order). An entry without "="
// is a warning that names its position, never its text, which may be a
// value. st must not be nil. On Windows the environment holds entries such as "=C:=C:\dir";
// a leading "=" belongs to the name.
func Parse(environ []string, st *sources.Stats) []Variable {
	vars := make([]Variable, 0, len(environ))
	for i, e := range environ {
		eq := strings.IndexByte(e[min(1, len(e)):], '=')
		if eq < 0 {
			st.Warn("environment", fmt.Sprintf("entry %d is not NAME=value: skipped", i+1))
			continue
		}
		eq += min(1, len(e))
		vars = append(vars, Variable{Name: e[:eq], Value: e[eq+1:]})
	}
	sort.SliceStable(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	return vars
}
