// Package image scans container images: a `docker save` tarball, an OCI
// layout folder or oci-archive tarball, or an image in a registry. Every
// layer is streamed, never extracted, and every file in it is read,
// including files a later layer deletes or overwrites: they are not in a
// running container, but anyone who pulls the image has them. The config
// (Env, Labels, Cmd, Entrypoint, history) is scanned too.
package image

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// Options configures an image scan.
type Options struct {
	// Input is a path (docker save tarball, OCI layout folder, oci-archive)
	// or a registry reference, as the user gave it; a prefix (oci:,
	// oci-archive:, docker-archive:, docker://) says which when the file
	// system would guess wrong.
	Input string
	// Platform ("linux/arm64", "linux/arm/v7") keeps only matching images
	// of a multi-platform index; empty scans every platform.
	Platform string
	// Limits bound what is read from each file in a layer.
	Limits sources.Limits
	// LayerLimits bound what one layer may decompress to (default:
	// DefaultLayerLimits).
	LayerLimits LayerLimits
	// Exclude is asked with each file's path in its layer before it is
	// read; true skips it.
	Exclude func(path string) bool
	// Workers scan small files while the layer stream is read (default:
	// CPUs).
	Workers int
	Stats   *sources.Stats
	// Remote adds registry options (tests set a transport); credentials
	// come from the Docker keychain (~/.docker/config.json, helpers).
	Remote []remote.Option
	// Sanitize, when set, cleans build commands before they are copied
	// into every finding's origin; the command line uses it to redact
	// secrets found in the history itself.
	Sanitize func(string) string

	platform *v1.Platform
}

// Walker scans one image input.
type Walker struct {
	opts Options
	err  error
	seen *seenFiles
	prog progressCount
}

// New returns a walker; it touches nothing until Walk.
func New(opts Options) *Walker {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Stats == nil {
		opts.Stats = sources.NewStats()
	}
	if opts.Sanitize == nil {
		opts.Sanitize = func(s string) string { return s }
	}
	opts.LayerLimits = opts.LayerLimits.withDefaults()
	// Chunks go to a pool of workers and outlive the call that emits
	// them, so their buffers cannot be reused.
	opts.Limits.Reuse = false
	w := &Walker{opts: opts, seen: newSeenFiles()}
	if opts.Platform != "" {
		p, err := ParsePlatform(opts.Platform)
		w.err = err
		w.opts.platform = p
	}
	return w
}

// ParsePlatform checks a --platform value: os/arch[/variant].
func ParsePlatform(s string) (*v1.Platform, error) {
	p, err := v1.ParsePlatform(s)
	if err != nil || p.OS == "" || p.Architecture == "" {
		return nil, fmt.Errorf("--platform %q: want os/arch[/variant], e.g. linux/amd64", s)
	}
	return p, nil
}

// Walk resolves the input to one image per platform and scans each: the
// config first, then the layers from the top down, so that when a file
// is read it is already known whether a later layer deletes it.
func (w *Walker) Walk(ctx context.Context, emit func(sources.Chunk) error) error {
	if w.err != nil {
		return w.err
	}
	targets, closer, err := resolve(ctx, w.opts)
	if err != nil {
		return fmt.Errorf("image %s: %w", w.opts.Input, err)
	}
	if closer != nil {
		defer closer.Close()
	}
	if len(targets) == 0 {
		return w.noImages()
	}
	w.prog.plan(targets)
	pool := newScanPool(ctx, w.opts.Workers, emit)
	defer pool.close()
	for _, t := range targets {
		if err := w.scanTarget(ctx, t, pool); err != nil {
			return err
		}
	}
	return nil
}

func (w *Walker) noImages() error {
	msg := fmt.Sprintf("image %s: no image to scan", w.opts.Input)
	if w.opts.Platform != "" {
		msg = fmt.Sprintf("image %s: no image for platform %s", w.opts.Input, w.opts.Platform)
	}
	for i, wn := range w.opts.Stats.Snapshot().Warnings {
		if i == 3 {
			break
		}
		msg += fmt.Sprintf("\n  %s: %s", wn.Place, wn.Message)
	}
	return fmt.Errorf("%s", msg)
}

func (w *Walker) scanTarget(ctx context.Context, t *target, pool *scanPool) error {
	createdBy := historyByLayer(t.config, len(t.layers))
	if err := w.scanConfig(t, pool.emit); err != nil {
		return err
	}
	view := newUpperView()
	for i := len(t.layers) - 1; i >= 0; i-- {
		lo := t.origin
		lo.LayerIndex = i
		if d := t.layers[i].digest; d != (v1.Hash{}) {
			lo.LayerDigest = d.String()
		}
		lo.CreatedBy = w.opts.Sanitize(createdBy[i])
		l := &layerScan{w: w, t: t, ref: t.layers[i], origin: &lo, place: w.layerPlace(t, i), view: view, pool: pool}
		if err := l.scan(ctx); err != nil {
			return err
		}
		// Findings of one layer are all handed over before the next
		// starts, so the order of output does not depend on scheduling.
		if err := pool.wait(); err != nil {
			return err
		}
		if i > 0 {
			view.add(l.touched, i)
		}
	}
	return nil
}

// layerPlace names a layer in warnings.
func (w *Walker) layerPlace(t *target, i int) string {
	var b strings.Builder
	b.WriteString(w.opts.Input)
	var which []string
	for _, s := range []string{t.origin.Tag, t.origin.Platform} {
		if s != "" {
			which = append(which, s)
		}
	}
	if len(which) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(which, ", "))
	}
	fmt.Fprintf(&b, " layer %d", i)
	if d := t.layers[i].digest; d != (v1.Hash{}) {
		fmt.Fprintf(&b, " %s:%.12s", d.Algorithm, d.Hex)
	}
	return b.String()
}

// historyByLayer pairs each layer with the build step that made it: the
// history entries that are not empty_layer, in order.
func historyByLayer(cfg *v1.ConfigFile, layers int) []string {
	out := make([]string, layers)
	i := 0
	for _, h := range cfg.History {
		if h.EmptyLayer {
			continue
		}
		if i >= layers {
			break
		}
		out[i] = h.CreatedBy
		i++
	}
	return out
}
