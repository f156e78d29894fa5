package image

import (
	"fmt"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// configPrefix starts the path of a chunk read from the image config, so
// that it cannot be mistaken for a file in a layer.
const configPrefix = "<config>/"

// scanConfig scans what the build put in the config: environment
// variables and labels (ENV, LABEL, and ARG values baked into them), the
// commands the container runs, and every build step's command line
// (RUN with ARG values, which docker history shows to anyone).
func (w *Walker) scanConfig(t *target, emit func(sources.Chunk) error) error {
	c := t.config.Config
	var labels []string
	for k, v := range c.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	parts := []struct{ name, text string }{
		{"Env", strings.Join(c.Env, "\n")},
		{"Labels", strings.Join(labels, "\n")},
		{"Entrypoint", strings.Join(c.Entrypoint, " ")},
		{"Cmd", strings.Join(c.Cmd, " ")},
		{"OnBuild", strings.Join(c.OnBuild, "\n")},
	}
	if c.Healthcheck != nil {
		parts = append(parts, struct{ name, text string }{"Healthcheck", strings.Join(c.Healthcheck.Test, " ")})
	}
	base := t.origin
	base.LayerIndex = -1
	for _, p := range parts {
		if err := w.scanText(configPrefix+p.name, p.text, &base, emit); err != nil {
			return err
		}
	}
	layer := 0
	for i, h := range t.config.History {
		o := base
		if !h.EmptyLayer && layer < len(t.layers) {
			o.LayerIndex = layer
			if d := t.layers[layer].digest; d != (v1.Hash{}) {
				o.LayerDigest = d.String()
			}
			layer++
		}
		o.CreatedBy = w.opts.Sanitize(h.CreatedBy)
		text := h.CreatedBy
		if h.Comment != "" {
			text += "\n" + h.Comment
		}
		if err := w.scanText(fmt.Sprintf("%shistory[%d]", configPrefix, i), text, &o, emit); err != nil {
			return err
		}
	}
	return nil
}

func (w *Walker) scanText(path, text string, im *sources.ImageOrigin, emit func(sources.Chunk) error) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	origin := &sources.Origin{Source: sources.KindImage, Path: path, Image: im}
	return sources.ReadChunks(strings.NewReader(text), origin, int64(len(text)), w.opts.Limits, w.opts.Stats, emit)
}
