package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/sprawl-sec/sprawl/pkg/classify"
	"github.com/sprawl-sec/sprawl/pkg/detect"
	"github.com/sprawl-sec/sprawl/pkg/report"
	"github.com/sprawl-sec/sprawl/pkg/sources"
	"github.com/sprawl-sec/sprawl/pkg/sources/image"
)

// imageOptions are the flags of `sprawl image`.
type imageOptions struct {
	Input    string
	Platform string
}

// NewCmdImage scans a container image. runF replaces the scan in tests.
func NewCmdImage(ios *IOStreams, g *globalOptions, runF func(*imageOptions) error) *cobra.Command {
	opts := &imageOptions{}
	cmd := &cobra.Command{
		Use:   "image REF|PATH",
		Short: "Scan a container image: every layer, deleted files included, and its config",
		Long: `Scan a container image: a docker save tarball, an OCI image layout folder, an
oci-archive tarball, or an image in a registry (pulled with your Docker
credentials). Every layer is read as a stream, including files that later
layers delete or overwrite: they are gone from a running container but not
from the image. Archives inside layers (tar, tar.gz, zip, jar, war) are
opened, within limits. Env, Labels, Cmd, Entrypoint and every build step's
command line in the image config are scanned too.

A prefix says what PATH is when guessing would be wrong: oci:DIR,
oci-archive:FILE, docker-archive:FILE, docker://REF.`,
		Example: `  docker save app:1.4 -o app.tar && sprawl image app.tar
  sprawl image ./layout                        # OCI image layout folder
  sprawl image oci-archive:app.oci.tar
  sprawl image registry.example.com/app:1.4 --platform linux/amd64
  sprawl image ghcr.io/acme/app:1.4 --format sarif --output image.sarif`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Input = args[0]
			if opts.Platform != "" {
				if _, err := image.ParsePlatform(opts.Platform); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runImage(cmd, ios, g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Platform, "platform", "", "scan only this platform of a multi-platform image, e.g. linux/arm64 (default: every platform)")
	return cmd
}

func runImage(cmd *cobra.Command, ios *IOStreams, g *globalOptions, opts *imageOptions) error {
	prog := &lateMeter{}
	return runScan(cmd.Context(), ios, g, scanJob{
		command: "image",
		targets: []string{opts.Input},
		// An image has no checkout to hold .sprawl.yaml; the folder the
		// scan runs in (a repository in CI) is the natural place.
		configRoot: ".",
		progress:   prog,
		// The walker scans each content once; its copies get their
		// findings once the walk is over.
		scan: func(ctx context.Context, eng *detect.Engine, cls *classify.Classifier, lim sources.Limits, st *sources.Stats) collected {
			w := newImageWalker(g, opts, eng, lim, st)
			prog.set(w)
			found := collectFindings(ctx, w, eng, cls)
			found.findings = withCopies(found.findings, w.Copies())
			return found
		},
	})
}

// newImageWalker builds the walker for the command's options.
func newImageWalker(g *globalOptions, opts *imageOptions, eng *detect.Engine, lim sources.Limits, st *sources.Stats) *image.Walker {
	o := image.Options{
		Input:    opts.Input,
		Platform: opts.Platform,
		Limits:   lim,
		Exclude:  eng.PathAllowed,
		Workers:  g.Threads,
		Stats:    st,
	}
	if !g.NoRedact {
		o.Sanitize = redactFound(eng)
	}
	return image.New(o)
}

// redactFound hides, in a build step's command line, every secret the
// detector finds in it. The walker copies that line into the provenance
// of every file of the layer the step made; the line itself is scanned
// and reported once, redacted, and its copies must not show the secret
// in clear next to unrelated findings.
func redactFound(eng *detect.Engine) func(string) string {
	return func(s string) string {
		origin := &sources.Origin{Source: sources.KindImage, Path: "<config>/history"}
		found := eng.Scan(sources.Chunk{Data: []byte(s), Origin: origin, StartLine: 1})
		if len(found) == 0 {
			return s
		}
		secrets := make([]string, 0, len(found))
		for _, f := range found {
			secrets = append(secrets, f.Secret)
		}
		return report.RedactLine(s, secrets...)
	}
}
