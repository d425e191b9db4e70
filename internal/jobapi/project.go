package jobapi

import (
	"fmt"
	"strconv"
	"strings"
)

// Visibility is a project's visibility level, as GitLab names it.
type Visibility string

// Visibility levels. Public and internal projects can be read with a job
// token from any project without an allowlist entry.
const (
	Private  Visibility = "private"
	Internal Visibility = "internal"
	Public   Visibility = "public"
)

// Project is one local project the API serves. The yaml and mapstructure
// (viper) tags give jobrun.yaml's spelling:
//
//	projects:
//	  - id: 2
//	    path: group/lib
//	    dir: ../lib
//	    visibility: private
//	    job_token_scope: {allow_all_projects: false, allowlist: [group/app]}
type Project struct {
	ID         int64      `yaml:"id" mapstructure:"id" json:"id"`
	FullPath   string     `yaml:"path" mapstructure:"path" json:"path_with_namespace"`    // "group/sub/name"
	Dir        string     `yaml:"dir" mapstructure:"dir" json:"-"`                        // working tree or bare repository, for git over HTTP
	Visibility Visibility `yaml:"visibility" mapstructure:"visibility" json:"visibility"` // empty means private
	TokenScope TokenScope `yaml:"job_token_scope" mapstructure:"job_token_scope" json:"-"`
}

// TokenScope is the project's "Limit access to this project" setting and
// its inbound allowlist. The zero value is GitLab's recommended, secure
// default: the limit is on and the allowlist is empty.
type TokenScope struct {
	// AllowAllProjects turns the limit off: every project's job token may
	// reach this project.
	AllowAllProjects bool `yaml:"allow_all_projects" mapstructure:"allow_all_projects"`
	// Allowlist names the projects (full path or numeric id) or groups (full
	// path, covering every project below it) whose job tokens may reach this
	// project.
	Allowlist []string `yaml:"allowlist" mapstructure:"allowlist"`
}

// Name is the project's last path component.
func (p Project) Name() string { return p.FullPath[strings.LastIndex(p.FullPath, "/")+1:] }

func (p Project) visibility() Visibility {
	if p.Visibility == "" {
		return Private
	}
	return p.Visibility
}

func (p Project) validate() error {
	if p.ID <= 0 {
		return fmt.Errorf("project %q: id %d: expected a positive number", p.FullPath, p.ID)
	}
	if !validFullPath(p.FullPath) {
		return fmt.Errorf("project %d: path %q: expected group/name of letters, digits, '.', '_' or '-'", p.ID, p.FullPath)
	}
	switch p.visibility() {
	case Private, Internal, Public:
	default:
		return fmt.Errorf("project %s: visibility %q: expected private, internal or public", p.FullPath, p.Visibility)
	}
	for _, entry := range p.TokenScope.Allowlist {
		if _, err := strconv.ParseInt(entry, 10, 64); err != nil && !validFullPath(entry) {
			return fmt.Errorf("project %s: allowlist entry %q: expected a project or group path or a numeric id", p.FullPath, entry)
		}
	}
	return nil
}

func validFullPath(path string) bool {
	if path == "" || len(path) > 255 {
		return false
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.HasSuffix(seg, ".git") {
			return false
		}
		for _, c := range seg {
			if !isNameChar(c) {
				return false
			}
		}
	}
	return true
}

func isNameChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// access is the kind of operation a request performs on a project.
type access int

const (
	read access = iota
	write
)

// decision is the outcome of a scope check, with the reason the request
// log records.
type decision struct {
	allowed bool
	reason  string
	// note is the one-line explanation delivered to the job's log when the
	// request is denied.
	note string
}

// reach applies the job token scope rules of GitLab's CI/CD job token
// documentation: a token always reaches its own project; another project
// when that project's limit is off or the token's project is on its
// allowlist; public and internal projects are readable without an entry.
func reach(from, to Project, op access) decision {
	switch {
	case from.ID == to.ID:
		return decision{allowed: true, reason: "own project"}
	case to.TokenScope.AllowAllProjects:
		return decision{allowed: true, reason: "limit access is off in " + to.FullPath}
	case onAllowlist(from, to.TokenScope.Allowlist):
		return decision{allowed: true, reason: from.FullPath + " is on the allowlist of " + to.FullPath}
	case op == read && to.visibility() != Private:
		return decision{allowed: true, reason: string(to.visibility()) + " project"}
	}
	why := fmt.Sprintf("%s is not on the CI/CD job token allowlist of %s", from.FullPath, to.FullPath)
	if op == write && to.visibility() != Private {
		why += " (required to write to a " + string(to.visibility()) + " project)"
	}
	return decision{
		reason: why,
		note: fmt.Sprintf("jobrun: job token of %s denied access to %s (404): %s's job token allowlist lacks %s; add it under job_token_scope.allowlist of %s",
			from.FullPath, to.FullPath, to.FullPath, from.FullPath, to.FullPath),
	}
}

func onAllowlist(p Project, allowlist []string) bool {
	id := strconv.FormatInt(p.ID, 10)
	for _, entry := range allowlist {
		// Paths compare case-insensitively, as GitLab routes them.
		if entry == id || strings.EqualFold(entry, p.FullPath) ||
			strings.HasPrefix(strings.ToLower(p.FullPath), strings.ToLower(entry)+"/") {
			return true
		}
	}
	return false
}

// projectSet finds projects by numeric id or full path, the two forms
// GitLab accepts for :id.
type projectSet struct {
	byID   map[int64]Project
	byPath map[string]Project
}

func newProjectSet(projects []Project) (projectSet, error) {
	set := projectSet{byID: map[int64]Project{}, byPath: map[string]Project{}}
	for _, p := range projects {
		if err := p.validate(); err != nil {
			return projectSet{}, err
		}
		if _, dup := set.byID[p.ID]; dup {
			return projectSet{}, fmt.Errorf("project %s: id %d is used twice", p.FullPath, p.ID)
		}
		if _, dup := set.byPath[strings.ToLower(p.FullPath)]; dup {
			return projectSet{}, fmt.Errorf("project %d: path %s is used twice", p.ID, p.FullPath)
		}
		set.byID[p.ID] = p
		set.byPath[strings.ToLower(p.FullPath)] = p
	}
	return set, nil
}

// find resolves an unescaped :id (numeric or full path). Paths compare
// case-insensitively, as GitLab's routing does.
func (s projectSet) find(ref string) (Project, bool) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		p, ok := s.byID[id]
		return p, ok
	}
	p, ok := s.byPath[strings.ToLower(ref)]
	return p, ok
}
