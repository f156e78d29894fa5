package image

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// target is one image for one platform, ready to scan: its config, and
// its layers bottom first.
type target struct {
	origin sources.ImageOrigin // reference, digests, tag, platform
	config *v1.ConfigFile
	layers []layerRef
}

// layerRef says how to read one layer and what to check it against.
type layerRef struct {
	digest    v1.Hash // as the manifest lists it; for a docker save, the diff_id
	mediaType types.MediaType
	open      func(ctx context.Context) (io.ReadCloser, error)
	// verify is the digest of what open returns, checked while reading;
	// verifyUncompressed says it is the digest of the decompressed tar.
	verify             v1.Hash
	verifyUncompressed bool
	// size is the number of bytes open returns, as the manifest or the
	// archive says: for the progress line only.
	size int64
}

// resolver turns indexes and manifests into targets, warning about and
// skipping the ones it cannot read.
type resolver struct {
	ctx      context.Context
	store    blobStore
	ref      string
	platform *v1.Platform // nil: every platform
	stats    *sources.Stats
	seen     map[v1.Hash]bool
	targets  []*target
}

// maxIndexDepth bounds indexes inside indexes; real ones nest once.
const maxIndexDepth = 4

func (r *resolver) index(raw []byte, place string, depth int) {
	if depth > maxIndexDepth {
		r.stats.Warn(place, "indexes nested too deep; skipped")
		return
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		r.stats.Warn(place, fmt.Sprintf("unreadable image index: %v", err))
		return
	}
	for _, d := range idx.Manifests {
		if d.Platform != nil && r.platform != nil && !d.Platform.Satisfies(*r.platform) {
			continue // not fetched at all: a registry pull costs time
		}
		if isAttestation(d) && r.platform != nil {
			continue
		}
		child := fmt.Sprintf("%s@%s", r.ref, d.Digest)
		if d.MediaType.IsIndex() {
			raw, err := r.manifest(d.Digest)
			if err != nil {
				r.stats.Warn(child, fmt.Sprintf("cannot read image index: %v", err))
				continue
			}
			r.index(raw, child, depth+1)
			continue
		}
		raw, err := r.manifest(d.Digest)
		if err != nil {
			r.stats.Warn(child, fmt.Sprintf("cannot read manifest for %s: %v", platformName(d.Platform), err))
			continue
		}
		r.image(raw, d.Digest, d.Platform, d.Annotations["org.opencontainers.image.ref.name"])
	}
}

func isAttestation(d v1.Descriptor) bool {
	return d.Annotations["vnd.docker.reference.type"] == "attestation-manifest"
}

// manifest fetches and verifies a manifest by digest.
func (r *resolver) manifest(h v1.Hash) ([]byte, error) {
	raw, err := r.store.manifest(r.ctx, h)
	if err != nil {
		return nil, err
	}
	if got, _, _ := v1.SHA256(bytes.NewReader(raw)); got != h {
		r.stats.Warn(fmt.Sprintf("%s@%s", r.ref, h), fmt.Sprintf("manifest content does not match its digest (got %s); scanned as found", got))
	}
	return raw, nil
}

// image adds one image manifest as a target.
func (r *resolver) image(raw []byte, digest v1.Hash, plat *v1.Platform, tag string) {
	place := r.ref
	if digest != (v1.Hash{}) {
		place = fmt.Sprintf("%s@%s", r.ref, digest)
		if r.seen[digest] {
			return // the same image listed twice (two tags in one layout)
		}
		r.seen[digest] = true
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil || m.MediaType.IsSchema1() {
		r.stats.Warn(place, fmt.Sprintf("unreadable or unsupported image manifest: %v", err))
		return
	}
	cfgRaw, err := readSmall(r.store.blob(r.ctx, m.Config.Digest))
	if err != nil {
		r.stats.Warn(place, fmt.Sprintf("cannot read image config %s: %v", m.Config.Digest, err))
		return
	}
	if got, _, _ := v1.SHA256(bytes.NewReader(cfgRaw)); got != m.Config.Digest {
		r.stats.Warn(place, fmt.Sprintf("image config does not match its digest %s (got %s); scanned as found", m.Config.Digest, got))
	}
	cfg := parseConfig(cfgRaw, place, r.stats)
	if plat == nil || plat.OS == "" || plat.OS == "unknown" {
		if p := cfg.Platform(); p != nil {
			plat = p
		}
	}
	if r.platform != nil && (plat == nil || !plat.Satisfies(*r.platform)) {
		return
	}
	t := &target{config: cfg}
	t.origin = sources.ImageOrigin{Reference: r.ref, Tag: tag, ConfigDigest: m.Config.Digest.String(), Platform: platformName(plat)}
	if digest != (v1.Hash{}) {
		t.origin.Digest = digest.String()
	}
	for _, l := range m.Layers {
		h := l.Digest
		t.layers = append(t.layers, layerRef{
			digest:    h,
			mediaType: l.MediaType,
			open:      func(ctx context.Context) (io.ReadCloser, error) { return r.store.blob(ctx, h) },
			verify:    h,
			size:      max(l.Size, 0), // a hostile manifest may say anything; it only feeds the progress line
		})
	}
	r.targets = append(r.targets, t)
}

// parseConfig reads an image config; a broken one still lets the layers
// be scanned.
func parseConfig(raw []byte, place string, st *sources.Stats) *v1.ConfigFile {
	var cfg v1.ConfigFile
	if err := json.Unmarshal(raw, &cfg); err != nil {
		st.Warn(place, fmt.Sprintf("unreadable image config: %v; layers scanned without it", err))
		return &v1.ConfigFile{}
	}
	return &cfg
}

func platformName(p *v1.Platform) string {
	if p == nil || (p.OS == "" && p.Architecture == "") {
		return ""
	}
	return p.String()
}
