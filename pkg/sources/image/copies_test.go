package image

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestCopies: a file carried again by a later layer, or copied to another
// path, is scanned once and listed as a copy of the one scanned (the top
// layer's, since layers are read from the top), archives' members
// included.
func TestCopies(t *testing.T) {
	secret := ghToken("copies")
	env := file{name: "app/.env", data: "TOKEN=" + secret + "\n"}
	jar := file{name: "app/app.jar", data: string(zipBytes(t, file{name: "application.yml", data: "token: " + secret + "\n"}))}
	img := buildImage(t, v1.Config{}, nil,
		step{"COPY app /app", []file{env, jar}},
		step{"RUN cp /app/.env /backup.env", []file{{name: "backup.env", data: env.data}}},
		step{"RUN chmod -R a+r /app", []file{env, jar}},
	)
	p, _ := layoutOf(t, img)
	w := New(Options{Input: p, Workers: 1})
	r, err := scanWith(t, w)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.holding(secret)); n != 2 {
		t.Fatalf("secret scanned in %d places, want 2 (the top layer's .env and jar)", n)
	}
	type place struct {
		path  string
		layer int
	}
	got := map[place]place{}
	for _, c := range w.Copies() {
		got[place{c.At.Path, c.At.Image.LayerIndex}] = place{c.Of.Path, c.Of.Image.LayerIndex}
	}
	want := map[place]place{
		{"backup.env", 1}:  {"app/.env", 2},
		{"app/.env", 0}:    {"app/.env", 2},
		{"app/app.jar", 0}: {"app/app.jar", 2},
	}
	if len(got) != len(want) {
		t.Fatalf("copies %v, want %v", got, want)
	}
	for at, of := range want {
		if got[at] != of {
			t.Errorf("copy at %v: of %v, want %v", at, got[at], of)
		}
	}
	for _, c := range w.Copies() {
		if c.At.Path != "app/app.jar" {
			continue
		}
		member := *c.Of
		member.Path += "!/application.yml"
		if !c.Holds(&member) {
			t.Fatalf("the jar's member is not held by its copy")
		}
		if pl := c.Place(&member); pl.Path != "app/app.jar!/application.yml" || pl.Image.LayerIndex != 0 {
			t.Errorf("member placed at %s layer %d", pl.Path, pl.Image.LayerIndex)
		}
		other := *c.Of
		other.Path = "app/app.jar.bak"
		if c.Holds(&other) {
			t.Errorf("a file whose name merely starts like the jar's is held by it")
		}
	}
}
