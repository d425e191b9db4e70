package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// parseImage reads `image:` (a name or {name, entrypoint, docker,
// pull_policy, kubernetes}); the name is expanded, as GitLab does.
func parseImage(n *Node, what string, vars Lookup) (job.Image, error) {
	img := job.Image{Ports: []job.Port{}}
	if n.IsNull() {
		return img, nil
	}
	if n.Kind == Scalar {
		img.Name = expandExisting(n.Value, vars)
		return img, nil
	}
	if err := mustMap(n, what); err != nil {
		return img, err
	}
	if err := checkKeys(n, what, "name", "entrypoint", "docker", "pull_policy", "kubernetes", "alias", "command", "variables", "ports"); err != nil {
		return img, err
	}
	name, err := asString(n.Get("name"), what+":name")
	if err != nil {
		return img, err
	}
	if name == "" {
		return img, errAt(n, "%s has no name; expected name: <image>", what)
	}
	img.Name = expandExisting(name, vars)
	if img.Entrypoint, err = splitWords(n.Get("entrypoint"), what+":entrypoint"); err != nil {
		return img, err
	}
	if img.Command, err = splitWords(n.Get("command"), what+":command"); err != nil {
		return img, err
	}
	if img.PullPolicy, err = asStrings(n.Get("pull_policy"), what+":pull_policy"); err != nil {
		return img, err
	}
	alias, err := asString(n.Get("alias"), what+":alias")
	if err != nil {
		return img, err
	}
	img.Alias = alias
	if d := n.Get("docker"); d != nil {
		if err := mustMap(d, what+":docker"); err != nil {
			return img, err
		}
		opts := &job.DockerOpts{}
		if opts.Platform, err = asString(d.Get("platform"), what+":docker:platform"); err != nil {
			return img, err
		}
		if opts.User, err = asString(d.Get("user"), what+":docker:user"); err != nil {
			return img, err
		}
		img.ExecutorOpts.Docker = opts
	}
	yvs, err := parseVariables(n.Get("variables"), what+":variables")
	if err != nil {
		return img, err
	}
	setYAML(&img.Variables, yvs)
	return img, nil
}

func parseServices(n *Node, name string, vars Lookup) ([]job.Service, error) {
	out := []job.Service{}
	if n.IsNull() {
		return out, nil
	}
	if n.Kind != Seq {
		return nil, errAt(n, "%s:services is %s; expected a list of images", name, n.Describe())
	}
	for _, it := range flattenSeq(n) {
		s, err := parseImage(it, name+":services", vars)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// flattenSeq flattens lists nested by !reference.
func flattenSeq(n *Node) []*Node {
	var out []*Node
	for _, it := range n.Items {
		if it.Kind == Seq {
			out = append(out, flattenSeq(it)...)
		} else {
			out = append(out, it)
		}
	}
	return out
}

// gzipReports are the report types GitLab stores gzipped; the others raw.
var gzipReports = map[string]bool{"junit": true, "dotenv": true, "metrics": true, "cobertura": true, "coverage_report": true, "cyclonedx": true, "annotations": true}

// parseArtifacts reads `artifacts:` into the archive upload and one
// upload per report (reports:dotenv feeds later jobs' variables).
func parseArtifacts(n *Node, name string) ([]job.Artifact, error) {
	out := []job.Artifact{}
	if n.IsNull() {
		return out, nil
	}
	what := name + ":artifacts"
	if err := mustMap(n, what); err != nil {
		return nil, err
	}
	if err := checkKeys(n, what, "paths", "exclude", "untracked", "when", "expire_in", "name", "reports", "expose_as", "public", "access"); err != nil {
		return nil, err
	}
	a := job.Artifact{Name: "artifacts", When: job.WhenOnSuccess, ArtifactType: job.ArtifactTypeArchive, ArtifactFormat: job.ArtifactFormatZip}
	var err error
	if a.Paths, err = asStrings(n.Get("paths"), what+":paths"); err != nil {
		return nil, err
	}
	if a.Exclude, err = asStrings(n.Get("exclude"), what+":exclude"); err != nil {
		return nil, err
	}
	if a.Untracked, err = asBool(n.Get("untracked"), what+":untracked"); err != nil {
		return nil, err
	}
	if a.ExpireIn, err = scalarString(n.Get("expire_in"), what+":expire_in"); err != nil {
		return nil, err
	}
	if s, err := asString(n.Get("name"), what+":name"); err != nil {
		return nil, err
	} else if s != "" {
		a.Name = s
	}
	if w := n.Get("when"); w != nil {
		if a.When, err = asString(w, what+":when"); err != nil {
			return nil, err
		}
		if !contains([]string{job.WhenOnSuccess, job.WhenOnFailure, job.WhenAlways}, a.When) {
			return nil, errAt(w, "%s:when is %q; expected on_success, on_failure or always", what, a.When)
		}
	}
	if len(a.Paths) > 0 || a.Untracked {
		out = append(out, a)
	}
	if r := n.Get("reports"); r != nil {
		if err := mustMap(r, what+":reports"); err != nil {
			return nil, err
		}
		for _, p := range r.Pairs {
			paths, err := reportPaths(p.Val, what+":reports:"+p.Key)
			if err != nil {
				return nil, err
			}
			format := job.ArtifactFormatRaw
			if gzipReports[p.Key] {
				format = job.ArtifactFormatGzip
			}
			out = append(out, job.Artifact{Name: p.Key, Paths: paths, When: a.When, ExpireIn: a.ExpireIn, ArtifactType: p.Key, ArtifactFormat: format})
		}
	}
	return out, nil
}

// reportPaths reads a report's paths; coverage_report is {coverage_format, path}.
func reportPaths(n *Node, what string) ([]string, error) {
	if n.Kind == Map {
		p, err := asString(n.Get("path"), what+":path")
		return []string{p}, err
	}
	return asStrings(n, what)
}

// parseCaches reads `cache:` (one mapping or a list of them).
func (c *compiler) parseCaches(n *Node, name string, vars Lookup) ([]job.Cache, error) {
	out := []job.Cache{}
	if n.IsNull() {
		return out, nil
	}
	items := []*Node{n}
	if n.Kind == Seq {
		items = flattenSeq(n)
	}
	for _, it := range items {
		what := name + ":cache"
		if err := mustMap(it, what); err != nil {
			return nil, err
		}
		if err := checkKeys(it, what, "key", "paths", "untracked", "policy", "when", "fallback_keys", "unprotect"); err != nil {
			return nil, err
		}
		ch := job.Cache{Key: "default", Policy: job.CachePullPush, When: job.WhenOnSuccess, FallbackKeys: []string{}}
		var err error
		if k := it.Get("key"); k != nil {
			if ch.Key, err = c.cacheKey(k, what, vars); err != nil {
				return nil, err
			}
		}
		if ch.Paths, err = asStrings(it.Get("paths"), what+":paths"); err != nil {
			return nil, err
		}
		if ch.Untracked, err = asBool(it.Get("untracked"), what+":untracked"); err != nil {
			return nil, err
		}
		if p := it.Get("policy"); p != nil {
			if ch.Policy, err = asString(p, what+":policy"); err != nil {
				return nil, err
			}
			ch.Policy = expandExisting(ch.Policy, vars)
		}
		if w := it.Get("when"); w != nil {
			if ch.When, err = asString(w, what+":when"); err != nil {
				return nil, err
			}
		}
		if fk, err := asStrings(it.Get("fallback_keys"), what+":fallback_keys"); err != nil {
			return nil, err
		} else if fk != nil {
			ch.FallbackKeys = fk
		}
		out = append(out, ch)
	}
	return out, nil
}

// cacheKey reads cache:key: a string, or {files, prefix}, where the key
// is derived from the listed files (here: a hash of their contents).
func (c *compiler) cacheKey(n *Node, what string, vars Lookup) (string, error) {
	if n.Kind == Scalar {
		return expandExisting(n.Value, vars), nil
	}
	if err := mustMap(n, what+":key"); err != nil {
		return "", err
	}
	if err := checkKeys(n, what+":key", "files", "prefix"); err != nil {
		return "", err
	}
	files, err := asStrings(n.Get("files"), what+":key:files")
	if err != nil {
		return "", err
	}
	prefix, err := asString(n.Get("prefix"), what+":key:prefix")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	found := false
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(c.opts.Dir, filepath.FromSlash(strings.TrimPrefix(f, "/"))))
		if err == nil {
			found = true
			h.Write([]byte(f + "\x00"))
			h.Write(data)
		}
	}
	key := "default"
	if found {
		key = hex.EncodeToString(h.Sum(nil))[:40]
	}
	if prefix != "" {
		key = expandExisting(prefix, vars) + "-" + key
	}
	return key, nil
}
