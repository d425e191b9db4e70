package pipeline

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// Fixed facts of a local pipeline: one pipeline, numbered 1, with jobs
// numbered from 1 in plan order.
const (
	localPipelineID = 1
	localProjectID  = 1
	defaultHost     = "gitlab.example.com"
	zeroSHA         = "0000000000000000000000000000000000000000"
	defaultTimeout  = 3600 // GitLab's default project timeout, seconds
	gitDepth        = 20
)

// project is where the project lives, from origin's URL.
type project struct {
	host, path, namespace, name string
}

func (c *compiler) project() project {
	p := project{host: defaultHost}
	abs, err := filepath.Abs(c.opts.Dir)
	if err != nil {
		abs = c.opts.Dir
	}
	p.name = filepath.Base(abs)
	p.namespace = "local"
	if c.opts.Git != nil && c.opts.Git.RemoteURL != "" {
		if host, path, ok := parseRemote(c.opts.Git.RemoteURL); ok {
			p.host = host
			if i := strings.LastIndexByte(path, '/'); i > 0 {
				p.namespace, p.name = path[:i], path[i+1:]
			}
		}
	}
	p.path = p.namespace + "/" + p.name
	return p
}

// parseRemote reads host and project path from an https or scp-style ssh
// remote; credentials in the URL are dropped.
func parseRemote(remote string) (host, path string, ok bool) {
	if u, err := url.Parse(remote); err == nil && u.Host != "" {
		host, path = u.Hostname(), u.Path
	} else if at := strings.IndexByte(remote, '@'); at >= 0 {
		rest := remote[at+1:]
		colon := strings.IndexByte(rest, ':')
		if colon < 0 {
			return "", "", false
		}
		host, path = rest[:colon], rest[colon+1:]
	} else {
		return "", "", false
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	return host, path, host != "" && strings.Contains(path, "/")
}

// predefinedVars sets the pipeline-level predefined variables. The job
// token and the variables derived from it are the runner core's to add.
func (c *compiler) predefinedVars() error {
	g := c.opts.Git
	p := c.project()
	var vs job.Variables
	set := func(k, v string) { vs = append(vs, job.Variable{Key: k, Value: v, Public: true}) }
	server := "https://" + p.host
	for _, kv := range [][2]string{
		{"CI", "true"}, {"GITLAB_CI", "true"}, {"CI_SERVER", "yes"},
		{"CI_SERVER_URL", server}, {"CI_SERVER_HOST", p.host}, {"CI_SERVER_FQDN", p.host},
		{"CI_SERVER_PORT", "443"}, {"CI_SERVER_PROTOCOL", "https"}, {"CI_SERVER_NAME", "GitLab"},
		{"CI_API_V4_URL", server + "/api/v4"}, {"CI_API_GRAPHQL_URL", server + "/api/graphql"},
		{"CI_PROJECT_ID", strconv.Itoa(localProjectID)}, {"CI_PROJECT_NAME", p.name}, {"CI_PROJECT_TITLE", p.name},
		{"CI_PROJECT_PATH", p.path}, {"CI_PROJECT_PATH_SLUG", slug(p.path, 0)},
		{"CI_PROJECT_NAMESPACE", p.namespace}, {"CI_PROJECT_ROOT_NAMESPACE", strings.SplitN(p.namespace, "/", 2)[0]},
		{"CI_PROJECT_URL", server + "/" + p.path}, {"CI_PROJECT_VISIBILITY", "private"},
		{"CI_REGISTRY", "registry." + p.host}, {"CI_REGISTRY_IMAGE", "registry." + p.host + "/" + strings.ToLower(p.path)},
		{"CI_PIPELINE_ID", strconv.Itoa(localPipelineID)}, {"CI_PIPELINE_IID", strconv.Itoa(localPipelineID)},
		{"CI_PIPELINE_SOURCE", c.pipelineSource()}, {"CI_PIPELINE_URL", server + "/" + p.path + "/-/pipelines/" + strconv.Itoa(localPipelineID)},
		{"CI_PIPELINE_CREATED_AT", c.opts.Now.UTC().Format("2006-01-02T15:04:05Z")},
		{"CI_CONFIG_PATH", filepath.ToSlash(c.mainFile)},
	} {
		set(kv[0], kv[1])
	}
	if g == nil {
		set("CI_DEFAULT_BRANCH", "main")
		c.predefined = vs
		return nil
	}
	if c.opts.Tag == "" && g.Branch == "" && len(g.Tags) == 1 {
		// A detached HEAD at one tag is a tag checkout: a tag pipeline.
		c.opts.Tag = g.Tags[0]
	}
	if c.opts.Tag != "" && !contains(g.Tags, c.opts.Tag) {
		return &Error{Msg: "tag " + quote(c.opts.Tag) + " does not point at HEAD; expected one of the tags at HEAD: " + listOrNone(g.Tags)}
	}
	ref := g.Branch
	if c.opts.Tag != "" {
		ref = c.opts.Tag
		set("CI_COMMIT_TAG", c.opts.Tag)
		set("CI_COMMIT_TAG_MESSAGE", "")
	} else if g.Branch != "" {
		set("CI_COMMIT_BRANCH", g.Branch)
	}
	if ref == "" {
		ref = g.SHA
	}
	// GitLab protects the default branch unless told otherwise.
	protected := strconv.FormatBool(c.opts.Tag == "" && g.Branch != "" && g.Branch == g.DefaultBranch)
	desc := ""
	if i := strings.IndexByte(g.Message, '\n'); i >= 0 {
		desc = strings.TrimLeft(g.Message[i+1:], "\n")
	}
	for _, kv := range [][2]string{
		{"CI_COMMIT_SHA", g.SHA}, {"CI_COMMIT_SHORT_SHA", short(g.SHA)}, {"CI_COMMIT_BEFORE_SHA", zeroSHA},
		{"CI_COMMIT_REF_NAME", ref}, {"CI_COMMIT_REF_SLUG", slug(ref, 63)}, {"CI_COMMIT_REF_PROTECTED", protected},
		{"CI_COMMIT_TITLE", g.Title}, {"CI_COMMIT_MESSAGE", g.Message}, {"CI_COMMIT_DESCRIPTION", desc},
		{"CI_COMMIT_TIMESTAMP", g.Timestamp}, {"CI_COMMIT_AUTHOR", g.Author}, {"CI_DEFAULT_BRANCH", g.DefaultBranch},
	} {
		set(kv[0], kv[1])
	}
	// The local user starts the pipeline: the commit author stands in.
	if name, email, ok := strings.Cut(g.Author, " <"); ok {
		email = strings.TrimSuffix(email, ">")
		login, _, _ := strings.Cut(email, "@")
		set("GITLAB_USER_NAME", name)
		set("GITLAB_USER_EMAIL", email)
		set("GITLAB_USER_LOGIN", login)
	}
	c.predefined = vs
	return nil
}

// pipelineSource is push, or parent_pipeline for a child pipeline.
func (c *compiler) pipelineSource() string {
	if c.depth > 0 {
		return "parent_pipeline"
	}
	return "push"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "(none)"
	}
	return strings.Join(list, ", ")
}

func short(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

var slugInvalid = regexp.MustCompile(`[^a-z0-9]+`)

// slug is GitLab's *_SLUG form: lowercase, anything but a-z0-9 becomes -,
// no leading or trailing -, at most max bytes (0: no limit).
func slug(s string, max int) string {
	out := slugInvalid.ReplaceAllString(strings.ToLower(s), "-")
	if max > 0 && len(out) > max {
		out = out[:max]
	}
	return strings.Trim(out, "-")
}
