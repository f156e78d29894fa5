// Package sources turns places (folders, standard input, and later git
// history, CI variables and container images) into Chunks of bytes, each
// with an Origin that says where the bytes came from. Walkers live in
// sub-packages, one per kind of place; they know nothing about rules.
package sources

import (
	"context"
	"time"
)

// Kind names the kind of place a chunk came from.
type Kind string

// Kinds of source known to sprawl.
const (
	KindFile  Kind = "file"
	KindStdin Kind = "stdin"
	KindGit   Kind = "git"
	KindImage Kind = "image"
	KindCI    Kind = "ci"
)

// Origin says where a chunk came from. Fields specific to one kind of
// source live in their own namespaced struct so that a report can print
// them without guessing.
type Origin struct {
	Source Kind   `json:"source"`
	Path   string `json:"path"` // slash-separated, relative to the scan root where there is one

	Git   *GitOrigin   `json:"git,omitempty"`
	Image *ImageOrigin `json:"image,omitempty"`
	CI    *CIOrigin    `json:"ci,omitempty"`
}

// GitOrigin is the provenance of a chunk read from git history.
type GitOrigin struct {
	Commit        string    `json:"commit"`
	Author        string    `json:"author"`
	Email         string    `json:"email"`
	Date          time.Time `json:"date"`
	Message       string    `json:"message"`
	PresentAtHEAD bool      `json:"present_at_head"`
}

// ImageOrigin is the provenance of a chunk read from a container image.
type ImageOrigin struct {
	Reference string `json:"reference"`
	Digest    string `json:"digest,omitempty"`
	// Tag is the name an archive gives the image (docker save's RepoTags,
	// an OCI layout's ref.name annotation), when the reference is a path.
	Tag string `json:"tag,omitempty"`
	// ConfigDigest is the digest of the image config: the image ID.
	ConfigDigest string `json:"config_digest,omitempty"`
	Platform     string `json:"platform,omitempty"`
	// LayerIndex is -1 for a chunk from the image config (Env, Labels,
	// Cmd, Entrypoint, a history step that made no layer).
	LayerIndex  int    `json:"layer_index"`
	LayerDigest string `json:"layer_digest,omitempty"`
	CreatedBy   string `json:"created_by,omitempty"`
	// Deleted is set when a later layer deletes or replaces the file: it
	// is not in a running container but anyone who pulls the image has
	// it. DeletedIn is that later layer's index; Replaced says it was
	// overwritten rather than deleted by a whiteout.
	Deleted   bool `json:"deleted,omitempty"`
	DeletedIn int  `json:"deleted_in_layer,omitempty"`
	Replaced  bool `json:"replaced,omitempty"`
}

// CIOrigin is the provenance of a chunk read from a CI platform.
type CIOrigin struct {
	Platform string `json:"platform"` // "gitlab", "github"
	// Scope names where the variable is defined: the project, group,
	// repository or organisation path ("acme/api"), or "instance".
	Scope string `json:"scope"`
	// Level is the kind of scope: project, group, instance, repository,
	// environment or organization.
	Level       string `json:"level,omitempty"`
	Variable    string `json:"variable"`
	Environment string `json:"environment,omitempty"`
	// NameOnly is set when the platform does not return the value (a
	// GitHub Actions secret, a hidden GitLab variable): the chunk is empty
	// and only the name enters the inventory.
	NameOnly bool `json:"name_only,omitempty"`
	// GitLab settings of the variable (false when not set or not GitLab).
	Masked       bool   `json:"masked,omitempty"`
	Hidden       bool   `json:"hidden,omitempty"`
	Protected    bool   `json:"protected,omitempty"`
	Raw          bool   `json:"raw,omitempty"`
	VariableType string `json:"variable_type,omitempty"` // env_var or file
	// Visibility of a GitHub organisation variable or secret: all,
	// private or selected repositories.
	Visibility string    `json:"visibility,omitempty"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// Chunk is a run of bytes to scan. Large inputs are split into several
// chunks that overlap a little, so a secret on a boundary is still seen.
type Chunk struct {
	Data   []byte
	Origin *Origin
	// StartLine is the 1-based line number of Data's first byte in the
	// original input; StartOffset is its byte offset there.
	StartLine   int
	StartOffset int64
}

// Source is one walker: it lists a place and emits its chunks. Walk stops
// at the first error emit returns; problems with single items (an
// unreadable file, a corrupt object) are reported to the Stats and do not
// end the walk.
type Source interface {
	Walk(ctx context.Context, emit func(Chunk) error) error
}
