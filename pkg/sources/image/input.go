package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Kinds of input, also accepted as a prefix ("oci:./dir") to say which
// one is meant when guessing from the file system would be wrong.
const (
	kindOCILayout     = "oci"
	kindOCIArchive    = "oci-archive"
	kindDockerArchive = "docker-archive"
	kindRegistry      = "docker"
)

// resolve lists the images the input holds. closer releases an open
// archive once the scan is over.
func resolve(ctx context.Context, o Options) (targets []*target, closer io.Closer, err error) {
	kind, loc := splitInput(o.Input)
	if kind == "" {
		if kind, err = guessKind(loc); err != nil {
			return nil, nil, err
		}
	}
	r := &resolver{ctx: ctx, ref: o.Input, platform: o.platform, stats: o.Stats, seen: map[v1.Hash]bool{}}
	switch kind {
	case kindOCILayout:
		r.store = layoutDir{root: loc}
		raw, err := os.ReadFile(filepath.Join(loc, "index.json"))
		if err != nil {
			return nil, nil, fmt.Errorf("read OCI layout %s: %w", loc, err)
		}
		r.index(raw, o.Input, 0)
		return r.targets, nil, nil
	case kindRegistry:
		return resolveRemote(r, loc, o)
	}
	t, err := openTarIndex(loc)
	if err != nil {
		return nil, nil, err
	}
	if t.damage != "" {
		o.Stats.Warn(o.Input, t.damage+"; reading what is there")
	}
	// A docker save from Docker 25 on holds both; the OCI index also
	// gives manifest digests and platforms.
	if kind == kindOCIArchive || (kind != kindDockerArchive && t.has("index.json")) {
		r.store = archiveLayout{t: t}
		raw, err := readSmall(t.open("index.json"))
		if err != nil {
			t.Close()
			return nil, nil, fmt.Errorf("read %s: index.json: %w", loc, err)
		}
		r.index(raw, o.Input, 0)
		return r.targets, t, nil
	}
	if !t.has("manifest.json") {
		t.Close()
		msg := fmt.Sprintf("%s is a tar archive but not an image: it has neither manifest.json (docker save) nor index.json (OCI)", loc)
		if t.damage != "" {
			msg += "; the " + t.damage
		}
		return nil, nil, errors.New(msg)
	}
	targets, err = dockerArchive(t, r)
	if err != nil {
		t.Close()
		return nil, nil, err
	}
	return targets, t, nil
}

func splitInput(in string) (kind, loc string) {
	for _, k := range []string{kindOCIArchive, kindOCILayout, kindDockerArchive} {
		if rest, ok := strings.CutPrefix(in, k+":"); ok {
			return k, rest
		}
	}
	if rest, ok := strings.CutPrefix(in, "docker://"); ok {
		return kindRegistry, rest
	}
	return "", in
}

// guessKind: a folder is an OCI layout, a file is an archive whose
// contents say which kind, and anything else is a registry reference.
func guessKind(loc string) (string, error) {
	info, err := os.Stat(loc)
	switch {
	case err == nil && info.IsDir():
		return kindOCILayout, nil
	case err == nil:
		return "", nil // an archive; its index.json or manifest.json decides
	case errors.Is(err, fs.ErrNotExist):
		if _, perr := name.ParseReference(loc); perr != nil {
			return "", fmt.Errorf("%s: no such file or folder, and not an image reference: %v", loc, perr)
		}
		return kindRegistry, nil
	}
	return "", err
}

func resolveRemote(r *resolver, loc string, o Options) ([]*target, io.Closer, error) {
	ref, err := name.ParseReference(loc)
	if err != nil {
		return nil, nil, fmt.Errorf("image reference %q: %w", loc, err)
	}
	opts := append([]remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithUserAgent("sprawl")}, o.Remote...)
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("registry client: %w", err)
	}
	desc, err := puller.Get(r.ctx, ref)
	if err != nil {
		return nil, nil, fmt.Errorf("pull %s: %w", loc, err)
	}
	r.store = registryStore{repo: ref.Context(), puller: puller}
	switch {
	case desc.MediaType.IsIndex():
		r.index(desc.Manifest, o.Input, 0)
	case desc.MediaType.IsImage():
		r.image(desc.Manifest, desc.Digest, nil, "")
	default:
		return nil, nil, fmt.Errorf("pull %s: unsupported manifest type %s", loc, desc.MediaType)
	}
	return r.targets, nil, nil
}

// dockerArchive reads a `docker save` tarball: manifest.json lists each
// image's config and layer files by path; layers are usually plain tars
// whose diff_ids in the config are their digests.
func dockerArchive(t *tarIndex, r *resolver) ([]*target, error) {
	raw, err := readSmall(t.open("manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("read %s: manifest.json: %w", r.ref, err)
	}
	var m tarball.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("read %s: manifest.json: %w", r.ref, err)
	}
	for _, d := range m {
		place := r.ref
		tag := strings.Join(d.RepoTags, ",")
		if tag != "" {
			place += " (" + tag + ")"
		}
		cfgRaw, err := readSmall(t.open(cleanTarName(d.Config)))
		if err != nil {
			r.stats.Warn(place, fmt.Sprintf("cannot read image config %s: %v; image skipped", d.Config, err))
			continue
		}
		cfgDigest, _, _ := v1.SHA256(bytes.NewReader(cfgRaw))
		// Config files are named by their digest: "<hex>.json" from docker,
		// "sha256:<hex>" from go-containerregistry, blobs/sha256/<hex> from Docker 25.
		hex := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(d.Config), ".json"), "sha256:")
		if len(hex) == 64 && hex != cfgDigest.Hex {
			r.stats.Warn(place, fmt.Sprintf("image config %s does not match its digest (got %s); scanned as found", d.Config, cfgDigest))
		}
		cfg := parseConfig(cfgRaw, place, r.stats)
		plat := cfg.Platform()
		if r.platform != nil && (plat == nil || !plat.Satisfies(*r.platform)) {
			continue
		}
		tg := &target{config: cfg, origin: sources.ImageOrigin{Reference: r.ref, Tag: tag, ConfigDigest: cfgDigest.String(), Platform: platformName(plat)}}
		diffIDs := cfg.RootFS.DiffIDs
		if len(diffIDs) != len(d.Layers) {
			r.stats.Warn(place, fmt.Sprintf("manifest.json lists %d layer(s) but the config %d diff_id(s); layers are not checked against their digests", len(d.Layers), len(diffIDs)))
		}
		for i, p := range d.Layers {
			p := cleanTarName(p)
			l := layerRef{open: func(context.Context) (io.ReadCloser, error) { return t.open(p) }, size: t.sizeOf(p)}
			if len(diffIDs) == len(d.Layers) {
				l.digest, l.verify, l.verifyUncompressed = diffIDs[i], diffIDs[i], true
			}
			tg.layers = append(tg.layers, l)
		}
		r.targets = append(r.targets, tg)
	}
	return r.targets, nil
}
