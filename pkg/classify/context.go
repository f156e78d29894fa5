package classify

import (
	"path"
	"sort"
	"strings"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// serviceFolders are the folders under which a monorepo keeps one service
// per subfolder (services/billing/..., apps/web/...).
var serviceFolders = map[string]bool{
	"services": true, "service": true, "apps": true, "packages": true,
	"svc": true, "microservices": true, "charts": true, "functions": true, "lambdas": true,
}

// ServiceOf names the service, repository or image a place belongs to,
// which is what NHI9 (reuse) counts: an image by its repository, a CI
// variable by its platform and scope, a file by the scanned repository
// (scope) and, in a monorepo, its service folder.
func ServiceOf(o *sources.Origin, scope string) string {
	if o == nil {
		return scope
	}
	switch {
	case o.Image != nil:
		return "image:" + imageRepository(o.Image.Reference)
	case o.CI != nil:
		return "ci:" + o.CI.Platform + ":" + o.CI.Scope
	}
	if scope == "" {
		scope = "."
	}
	parts := strings.Split(strings.TrimPrefix(o.Path, "./"), "/")
	if len(parts) >= 3 && serviceFolders[parts[0]] {
		return scope + "/" + parts[0] + "/" + parts[1]
	}
	return scope
}

// imageRepository drops the tag and digest: tags of one image are one
// service.
func imageRepository(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

// Environment names, as reports print them.
const (
	EnvProd    = "prod"
	EnvStaging = "staging"
	EnvDev     = "dev"
)

var envWords = map[string]string{
	"prod": EnvProd, "production": EnvProd, "prd": EnvProd, "live": EnvProd,
	"staging": EnvStaging, "stage": EnvStaging, "stg": EnvStaging, "preprod": EnvStaging, "uat": EnvStaging,
	"dev": EnvDev, "develop": EnvDev, "development": EnvDev, "local": EnvDev, "test": EnvDev,
	"tests": EnvDev, "testing": EnvDev, "qa": EnvDev, "sandbox": EnvDev,
}

// EnvironmentsOf returns the environment hints of a place: words in its
// path, its key, the CI environment and the image tag.
func EnvironmentsOf(o *sources.Origin, key string) []string {
	var text []string
	if o != nil {
		text = append(text, o.Path)
		if o.CI != nil {
			text = append(text, o.CI.Environment, o.CI.Scope)
		}
		if o.Image != nil {
			text = append(text, path.Base(o.Image.Reference))
		}
	}
	text = append(text, key)
	found := map[string]bool{}
	for _, t := range text {
		for _, w := range splitWords(t) {
			if env, ok := envWords[w]; ok {
				found[env] = true
			}
		}
	}
	out := make([]string, 0, len(found))
	for env := range found {
		out = append(out, env)
	}
	sort.Strings(out)
	return out
}

// splitWords cuts text into lower-case words at every non-letter and at
// camelCase humps ("prodDbPassword" -> prod, db, password).
func splitWords(s string) []string {
	return strings.FieldsFunc(NormalizeKey(strings.NewReplacer("/", "_", ".", "_", ":", "_", "@", "_").Replace(s)), func(r rune) bool {
		return r == '_' || (r >= '0' && r <= '9')
	})
}

// mixesEnvironments reports whether hints hold production and a
// non-production environment (NHI8).
func mixesEnvironments(envs []string) bool {
	prod, other := false, false
	for _, e := range envs {
		if e == EnvProd {
			prod = true
		} else {
			other = true
		}
	}
	return prod && other
}

// atHEAD reports whether an occurrence is current: at HEAD for git
// history, and always for files, images and CI variables.
func atHEAD(o *sources.Origin) bool {
	return o == nil || o.Git == nil || o.Git.PresentAtHEAD
}
