package build

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/project"
)

// shop is a project of three built services in dir: base, web FROM
// base's image, and api naming base and a folder in additional_contexts.
func shop(t *testing.T) (*types.Project, string) {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "base", "Dockerfile"), "FROM busybox\nRUN true\n")
	write(t, filepath.Join(dir, "web", "Dockerfile"), "FROM shop-base\nCOPY . /app\n")
	write(t, filepath.Join(dir, "web", ".dockerignore"), "secret.txt\n")
	write(t, filepath.Join(dir, "api.Dockerfile"), "FROM busybox\nCOPY --from=base /etc/hostname /b\nCOPY --from=assets / /assets\n")
	write(t, filepath.Join(dir, "assets", "logo.svg"), "<svg/>")
	write(t, filepath.Join(dir, "npmrc"), "registry=local")
	write(t, filepath.Join(dir, "compose.yaml"), `name: shop
services:
  base:
    build: ./base
  web:
    image: shop/web:1
    build:
      context: web
      tags: [shop/web:latest]
      labels: {team: front}
      target: prod
      args: [FROM_ENV, "PLAIN=${TOKEN}"]
      secrets: [npmrc, {source: token, target: api_token}]
  api:
    build:
      context: web
      dockerfile: ../api.Dockerfile
      additional_contexts:
        base: service:base
        assets: ./assets
  db:
    image: busybox
secrets:
  npmrc: {file: ./npmrc}
  token: {environment: TOKEN}
`)
	p, err := project.Load(context.Background(), project.LoadOptions{
		ConfigPaths: []string{filepath.Join(dir, "compose.yaml")}, Environ: []string{"TOKEN=t0k3n", "FROM_ENV=fromenv"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, dir
}

func TestPrepare(t *testing.T) {
	p, dir := shop(t)
	web, err := Prepare(p, p.Services["web"], Options{Version: "1.2.3", Args: []string{"X=1"}})
	if err != nil {
		t.Fatal(err)
	}
	r := web.Request
	if r.ContextDir != filepath.Join(dir, "web") || r.Dockerfile != filepath.Join(dir, "web", "Dockerfile") {
		t.Errorf("context %q, Dockerfile %q", r.ContextDir, r.Dockerfile)
	}
	if strings.Join(r.Tags, ",") != "shop/web:1,shop/web:latest" || web.Image != "shop/web:1" {
		t.Errorf("tags = %q", r.Tags)
	}
	if strings.Join(r.Excludes, ",") != "secret.txt" || r.ContextKey == "" {
		t.Errorf("excludes %q, key %q", r.Excludes, r.ContextKey)
	}
	if r.Labels["team"] != "front" || r.Labels[labelProject] != "shop" || r.Labels[labelService] != "web" || r.Labels[labelVersion] != "1.2.3" {
		t.Errorf("labels = %v", r.Labels)
	}
	if args := argValues(r.Args); r.Target != "prod" || args["X"] != "1" || args["FROM_ENV"] != "fromenv" || args["PLAIN"] != "t0k3n" {
		t.Errorf("target %q, args %v", r.Target, args)
	}
	if len(r.Secrets) != 2 || r.Secrets[0].File == "" || r.Secrets[1].ID != "api_token" || string(r.Secrets[1].Value) != "t0k3n" {
		t.Errorf("secrets = %+v", r.Secrets)
	}
	if !slices.Equal(web.Needs, []string{"base"}) {
		t.Errorf("web needs %q: its Dockerfile starts FROM base's image", web.Needs)
	}
}

func TestPrepareAdditionalContexts(t *testing.T) {
	p, dir := shop(t)
	api, err := Prepare(p, p.Services["api"], Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(api.Needs, []string{"base"}) {
		t.Errorf("api needs %q", api.Needs)
	}
	if len(api.ContextImages) != 1 || api.ContextImages[0].ContextDir != filepath.Join(dir, "assets") {
		t.Fatalf("context images = %+v", api.ContextImages)
	}
	assets := api.ContextImages[0].Tags[0]
	text := string(api.Request.DockerfileInline)
	for _, want := range []string{"COPY --from=shop-base /etc/hostname /b", "COPY --from=" + assets + " / /assets"} {
		if !strings.Contains(text, want) {
			t.Errorf("rewritten Dockerfile lacks %q:\n%s", want, text)
		}
	}
	if r := api.Request; r.ContextDir != filepath.Join(dir, "web") || strings.Join(r.Excludes, ",") != "secret.txt" {
		t.Errorf("a Dockerfile outside the context keeps the context's ignore file: %q", r.Excludes)
	}
}

func TestPrepareRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*types.BuildConfig)
		want   string
	}{
		{"several platforms", func(b *types.BuildConfig) { b.Platforms = []string{"linux/amd64", "linux/arm64"} }, "keep one"},
		{"cache_to", func(b *types.BuildConfig) { b.CacheTo = []string{"type=local,dest=/tmp/c"} }, "cache_to"},
		{"local cache_from", func(b *types.BuildConfig) { b.CacheFrom = []string{"type=local,src=/tmp/c"} }, "cache_from"},
		{"missing Dockerfile", func(b *types.BuildConfig) { b.Dockerfile = "Nope" }, "no Dockerfile"},
		{"missing context", func(b *types.BuildConfig) { b.Context += "/nowhere" }, "not a folder"},
		{"unknown secret", func(b *types.BuildConfig) { b.Secrets = []types.ServiceSecretConfig{{Source: "nope"}} }, "nope"},
		{"unknown service context", func(b *types.BuildConfig) { b.AdditionalContexts = types.Mapping{"x": "service:ghost"} }, "ghost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := shop(t)
			s := p.Services["base"]
			bc := *s.Build
			tc.change(&bc)
			s.Build = &bc
			_, err := Prepare(p, s, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "service base: ") {
				t.Errorf("err = %v, want one naming the service and %q", err, tc.want)
			}
		})
	}
}

func TestPrepareInlineAndRemote(t *testing.T) {
	p, _ := shop(t)
	s := p.Services["base"]
	s.Build = &types.BuildConfig{Context: s.Build.Context, DockerfileInline: "FROM busybox\nRUN echo inline\n", Platforms: []string{"linux/amd64"}}
	b, err := Prepare(p, s, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if string(b.Request.DockerfileInline) != s.Build.DockerfileInline || b.Request.Dockerfile != "" {
		t.Errorf("inline request = %+v", b.Request)
	}
	if b.Request.Platform != "linux/amd64" || !b.Request.NoCache {
		t.Errorf("platform %q, no cache %v", b.Request.Platform, b.Request.NoCache)
	}
	s.Build = &types.BuildConfig{Context: "https://example.com/shop.git#main", Dockerfile: "docker/Dockerfile"}
	if b, err = Prepare(p, s, Options{}); err != nil || b.Request.ContextURL != s.Build.Context || b.Request.Dockerfile != "docker/Dockerfile" {
		t.Errorf("git context: %+v, %v", b, err)
	}
}

// TestShareKey: builds that differ only in their images and service share
// one; any other difference keeps them apart; sharing names no service.
func TestShareKey(t *testing.T) {
	p, _ := shop(t)
	base, _ := Prepare(p, p.Services["base"], Options{})
	twin := p.Services["base"]
	twin.Name = "twin"
	other, _ := Prepare(p, twin, Options{})
	if base.ShareKey() == "" || base.ShareKey() != other.ShareKey() {
		t.Fatalf("the same build under two services: keys %q and %q", base.ShareKey(), other.ShareKey())
	}
	if withArg, _ := Prepare(p, twin, Options{Args: []string{"X=1"}}); withArg.ShareKey() == base.ShareKey() {
		t.Error("a build with another argument shares the key")
	}
	if api, _ := Prepare(p, p.Services["api"], Options{}); api.ShareKey() != "" {
		t.Error("a build with folder contexts (named per service) can be shared")
	}
	base.Share(other)
	if strings.Join(base.Request.Tags, ",") != "shop-base,shop-twin" || base.Request.Labels[labelService] != "" || base.Request.Labels[labelProject] != "shop" {
		t.Errorf("shared build: tags %q, labels %v", base.Request.Tags, base.Request.Labels)
	}
}
