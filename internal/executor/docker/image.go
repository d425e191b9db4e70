package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/jobrun/jobrun/internal/job"
)

func validPullPolicy(p string) error {
	switch p {
	case "", PullAlways, PullIfNotPresent, PullNever:
		return nil
	}
	return fmt.Errorf("pull policy %q: expected always, if-not-present or never", p)
}

// pullPolicy is the image's first pull_policy, else the executor's
// default, else if-not-present.
func (d *Docker) pullPolicy(img job.Image) (string, error) {
	for _, p := range img.PullPolicy {
		if err := validPullPolicy(p); err != nil {
			return "", fmt.Errorf("image %s: %w", img.Name, err)
		}
		if p != "" {
			return p, nil
		}
	}
	if d.opts.PullPolicy != "" {
		return d.opts.PullPolicy, nil
	}
	return DefaultPullPolicy, nil
}

// platform parses `image:docker:platform` ("linux/arm64/v8").
func platform(img job.Image) *ocispec.Platform {
	if img.ExecutorOpts.Docker == nil || img.ExecutorOpts.Docker.Platform == "" {
		return nil
	}
	parts := strings.SplitN(img.ExecutorOpts.Docker.Platform, "/", 3)
	p := &ocispec.Platform{OS: parts[0]}
	if len(parts) > 1 {
		p.Architecture = parts[1]
	}
	if len(parts) > 2 {
		p.Variant = parts[2]
	}
	return p
}

// ensureImage makes img available locally as its pull policy says and
// returns the image's inspect result.
func (d *Docker) ensureImage(ctx context.Context, img job.Image, creds []job.Credential) (client.ImageInspectResult, error) {
	policy, err := d.pullPolicy(img)
	if err != nil {
		return client.ImageInspectResult{}, err
	}
	if policy != PullAlways {
		found, err := d.api.ImageInspect(ctx, img.Name)
		if err == nil {
			return found, nil
		}
		if !cerrdefs.IsNotFound(err) {
			return client.ImageInspectResult{}, fmt.Errorf("inspecting image %s: %w", img.Name, err)
		}
		if policy == PullNever {
			return client.ImageInspectResult{}, fmt.Errorf("image %s is not on this host and the pull policy is %q", img.Name, PullNever)
		}
	}
	if err := d.pull(ctx, img, creds); err != nil {
		return client.ImageInspectResult{}, err
	}
	found, err := d.api.ImageInspect(ctx, img.Name)
	if err != nil {
		return client.ImageInspectResult{}, fmt.Errorf("inspecting image %s after pulling it: %w", img.Name, err)
	}
	return found, nil
}

// pull pulls img, logging in with the job's registry credentials for
// the image's registry (GitLab sends the job token for its own). The
// credentials travel in the API request's X-Registry-Auth header.
func (d *Docker) pull(ctx context.Context, img job.Image, creds []job.Credential) error {
	opts := client.ImagePullOptions{RegistryAuth: registryAuth(img.Name, creds)}
	if p := platform(img); p != nil {
		opts.Platforms = []ocispec.Platform{*p}
	}
	resp, err := d.api.ImagePull(ctx, img.Name, opts)
	if err != nil {
		return fmt.Errorf("pulling image %s: %w", img.Name, err)
	}
	defer resp.Close()
	if err := resp.Wait(ctx); err != nil {
		return fmt.Errorf("pulling image %s: %w", img.Name, err)
	}
	return nil
}

// dockerHub are the names of Docker Hub's registry.
var dockerHub = map[string]bool{"docker.io": true, "index.docker.io": true, "registry-1.docker.io": true}

// registryAuth is the encoded X-Registry-Auth for image: the first
// "registry" credential whose URL names the image's registry, or "".
func registryAuth(image string, creds []job.Credential) string {
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return ""
	}
	domain := reference.Domain(ref)
	for _, c := range creds {
		if c.Type != "registry" {
			continue
		}
		host := registryHost(c.URL)
		if host != domain && !(dockerHub[host] && dockerHub[domain]) {
			continue
		}
		b, err := json.Marshal(registry.AuthConfig{Username: c.Username, Password: c.Password, ServerAddress: c.URL})
		if err != nil {
			return ""
		}
		return base64.URLEncoding.EncodeToString(b)
	}
	return ""
}

// registryHost is the host[:port] of a credential's URL, which GitLab
// sends with or without a scheme.
func registryHost(u string) string {
	u = strings.TrimSpace(u)
	if _, rest, ok := strings.Cut(u, "://"); ok {
		u = rest
	}
	host, _, _ := strings.Cut(u, "/")
	return strings.ToLower(host)
}
