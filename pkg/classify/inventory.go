package classify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// DefaultMaxAge is the rotation policy NHI7 checks against: 90 days.
const DefaultMaxAge = 90 * 24 * time.Hour

// Policy is what the inventory needs beyond the findings.
type Policy struct {
	// Key keys the hash that identifies a credential; reports use the
	// fingerprint key so that ids from separate scans can be merged.
	Key []byte
	// MaxAge is the rotation policy (NHI7); Now is when it is measured.
	MaxAge time.Duration
	Now    time.Time
	// Scope names what was scanned (a repository, a folder): the service
	// of a file outside any service folder.
	Scope string
	// CodeOwners, when the scan met a CODEOWNERS file, names path owners.
	CodeOwners *CodeOwners
}

// Credential is one secret, with every place it occurs.
type Credential struct {
	ID    string
	Class Class
	// Reference is true when the credential is a referenced secret rather
	// than a literal value.
	Reference bool
	RuleID    string
	Title     string
	Provider  string
	// Target names a referenced secret; empty for literals. Global says
	// the target names one secret everywhere (an ARN).
	Target   string
	Global   bool
	Evidence string
	Keys     []string
	// Occurrences are indices into the findings the inventory was built
	// from, in their order; Locations say where each one is, so that a
	// report can list them without the findings.
	Occurrences []int
	Locations   []Location
	FirstSeen   *Seen
	LastSeen    *Seen
	// AtHEAD is true when some occurrence is current (at HEAD, or in a
	// file, image or CI variable); HistoryOnly when every one is in git
	// history only.
	AtHEAD       bool
	HistoryOnly  bool
	Owners       []string
	OwnerSource  string // "CODEOWNERS", "authors" or ""
	Environments []string
	Services     []string
	Sources      []string
	NHI          []string
	Migrated     *Migration
}

// Location is one place a credential occurs.
type Location struct {
	Source       sources.Kind
	Path         string
	Line         int
	Class        Class
	Service      string
	Environments []string
	AtHEAD       bool
	Git          *sources.GitOrigin
	Image        *sources.ImageOrigin
	CI           *sources.CIOrigin
}

// Seen is a dated appearance of a credential in git history.
type Seen struct {
	Date   time.Time
	Commit string
	Author string
	Path   string
}

// Migration says that a literal in history was replaced by a reference.
type Migration struct {
	Path      string
	Key       string
	Class     Class
	Provider  string
	Reference string // the reference pattern's title
}

// Inventory is every credential of a scan (or of merged scans).
type Inventory struct {
	Credentials []Credential
	MaxAge      time.Duration
}

// CredentialID is the keyed hash that names a credential: 16 hex
// characters of HMAC-SHA256 under the policy key. For a literal it is the
// same hash a fingerprint ends with, so the two can be matched.
func CredentialID(identity string, key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(identity))
	return hex.EncodeToString(mac.Sum(nil))[:16]
}

// groupIdentity is what makes two occurrences one credential: the value of
// a literal; the provider and target of a reference, within one service
// unless the target is global (an environment variable DB_PASSWORD in two
// repositories is two secrets; one ARN is one).
func groupIdentity(f *Finding) string {
	if f.Reference == nil {
		return f.Secret
	}
	id := "ref\x00" + f.Reference.Provider + "\x00" + f.Reference.Target
	if !f.Reference.Global {
		id += "\x00" + f.Service
	}
	return id
}

// BuildInventory groups findings into credentials and maps each to the
// NHI risks it shows. It fills each finding's Credential, Service,
// Environments, Owners and NHI where they are not set yet (a merge hands
// in findings read back from reports, which already carry them).
func BuildInventory(findings []Finding, pol Policy) *Inventory {
	if pol.MaxAge <= 0 {
		pol.MaxAge = DefaultMaxAge
	}
	if len(pol.Key) == 0 {
		pol.Key = []byte("sprawl-fingerprint-v1")
	}
	byID := map[string]int{}
	inv := &Inventory{MaxAge: pol.MaxAge}
	for i := range findings {
		f := &findings[i]
		if f.Service == "" {
			f.Service = ServiceOf(f.Origin, pol.Scope)
		}
		if f.Environments == nil {
			f.Environments = EnvironmentsOf(f.Origin, f.Key)
		}
		if f.Owners == nil && f.Origin != nil && f.Origin.Image == nil && f.Origin.CI == nil {
			f.Owners = pol.CodeOwners.Owners(f.Origin.Path)
		}
		if f.Credential == "" {
			f.Credential = CredentialID(groupIdentity(f), pol.Key)
		}
		ci, ok := byID[f.Credential]
		if !ok {
			ci = len(inv.Credentials)
			byID[f.Credential] = ci
			inv.Credentials = append(inv.Credentials, newCredential(f))
		}
		inv.Credentials[ci].add(i, f)
	}
	for ci := range inv.Credentials {
		inv.Credentials[ci].finish(findings)
	}
	markMigrations(inv, findings)
	for ci := range inv.Credentials {
		c := &inv.Credentials[ci]
		c.NHI = risks(c, pol)
		for _, i := range c.Occurrences {
			c.NHI = addRisks(c.NHI, findings[i].OwnNHI)
		}
		for _, i := range c.Occurrences {
			findings[i].NHI = c.NHI
		}
	}
	sort.SliceStable(inv.Credentials, func(i, j int) bool {
		a, b := inv.Credentials[i], inv.Credentials[j]
		if a.Class.Rank() != b.Class.Rank() {
			return a.Class.Rank() < b.Class.Rank()
		}
		if len(a.NHI) != len(b.NHI) {
			return len(a.NHI) > len(b.NHI)
		}
		if len(a.Occurrences) != len(b.Occurrences) {
			return len(a.Occurrences) > len(b.Occurrences)
		}
		return a.ID < b.ID
	})
	return inv
}

func newCredential(f *Finding) Credential {
	c := Credential{ID: f.Credential, Class: f.Class, Evidence: f.Evidence, HistoryOnly: true}
	if f.Rule != nil {
		c.RuleID, c.Title, c.Provider = f.Rule.ID, f.Rule.Title, f.Rule.Provider
	}
	if f.Reference != nil {
		c.Reference, c.Target, c.Provider, c.Global = true, f.Reference.Target, f.Reference.Provider, f.Reference.Global
	}
	return c
}

func (c *Credential) add(i int, f *Finding) {
	c.Occurrences = append(c.Occurrences, i)
	loc := Location{Line: f.Line, Class: f.Class, Service: f.Service, Environments: f.Environments, AtHEAD: atHEAD(f.Origin)}
	if o := f.Origin; o != nil {
		loc.Source, loc.Path, loc.Git, loc.Image, loc.CI = o.Source, o.Path, o.Git, o.Image, o.CI
	}
	c.Locations = append(c.Locations, loc)
	if f.Class.Rank() < c.Class.Rank() {
		c.Class, c.Evidence = f.Class, f.Evidence // a credential is as exposed as its worst copy
	}
	if atHEAD(f.Origin) {
		c.AtHEAD, c.HistoryOnly = true, false
	}
	if f.Origin == nil || f.Origin.Git == nil || f.Origin.Git.Date.IsZero() {
		return
	}
	g := f.Origin.Git
	s := &Seen{Date: g.Date, Commit: g.Commit, Author: g.Author, Path: f.Origin.Path}
	if c.FirstSeen == nil || g.Date.Before(c.FirstSeen.Date) {
		c.FirstSeen = s
	}
	if c.LastSeen == nil || g.Date.After(c.LastSeen.Date) {
		c.LastSeen = s
	}
}

// finish collects the sets (keys, services, environments, owners) once
// every occurrence is in.
func (c *Credential) finish(findings []Finding) {
	keys, services, envs, owners, authors, kinds := set{}, set{}, set{}, set{}, set{}, set{}
	for _, i := range c.Occurrences {
		f := &findings[i]
		keys.add(f.Key)
		services.add(f.Service)
		envs.add(f.Environments...)
		owners.add(f.Owners...)
		if f.Origin != nil {
			kinds.add(string(f.Origin.Source))
			if f.Origin.Git != nil {
				authors.add(f.Origin.Git.Author)
			}
		}
	}
	c.Keys, c.Services, c.Environments, c.Sources = keys.sorted(), services.sorted(), envs.sorted(), kinds.sorted()
	switch {
	case len(owners) > 0:
		c.Owners, c.OwnerSource = owners.sorted(), "CODEOWNERS"
	case len(authors) > 0:
		c.Owners, c.OwnerSource = authors.sorted(), "authors"
	}
}

// set is a small string set that drops empty strings.
type set map[string]bool

func (s set) add(vs ...string) {
	for _, v := range vs {
		if v != "" {
			s[v] = true
		}
	}
}

func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for v := range s {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
