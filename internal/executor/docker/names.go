package docker

import (
	"crypto/rand"
	"encoding/hex"
	"path"
	"strconv"
	"strings"
)

// Labels on everything a session creates: LabelManaged finds leftovers of
// any run, LabelSession one session's objects, LabelOwner the jobrun
// process that made them ("<hostname>:<pid>").
const (
	LabelManaged = "com.jobrun.managed"
	LabelJobID   = "com.jobrun.job.id"
	LabelSession = "com.jobrun.session"
	LabelOwner   = "com.jobrun.owner"
	LabelRole    = "com.jobrun.role" // "build" or "service"
)

// BuildsDir is where working copies live inside the build container.
const BuildsDir = "/builds"

func (s *session) labels(role string) map[string]string {
	l := map[string]string{
		LabelManaged: "true",
		LabelJobID:   strconv.FormatInt(s.jobID, 10),
		LabelSession: s.id,
		LabelOwner:   s.d.owner(),
	}
	if role != "" {
		l[LabelRole] = role
	}
	return l
}

// newSessionID is a short random name part that keeps two sessions of
// the same job (or two jobrun processes) apart.
func newSessionID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ProjectDir is the working copy's path in the build container:
// /builds/<namespace>/<project>, or /builds/project without a path. A
// path that tries to climb out of /builds is cut back to its last part.
func ProjectDir(projectPath string) string {
	clean := path.Clean("/" + strings.TrimSpace(projectPath))
	if clean == "/" {
		return BuildsDir + "/project"
	}
	return BuildsDir + clean
}

// ServiceAliases are the host names a service answers to on the job's
// network, by GitLab's rules: its image name without tag or digest,
// with "/" turned into "__" and, as a second name, into "-"; then every
// explicit alias (comma- or space-separated). Duplicates appear once.
func ServiceAliases(name, alias string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	base := imageWithoutTag(name)
	add(strings.ReplaceAll(base, "/", "__"))
	add(strings.ReplaceAll(base, "/", "-"))
	for _, a := range strings.FieldsFunc(alias, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		add(a)
	}
	return out
}

// imageWithoutTag strips "@digest" and a ":tag" after the last "/" (a
// ":" before it is a registry port, as in localhost:5000/tool).
func imageWithoutTag(name string) string {
	name, _, _ = strings.Cut(strings.TrimSpace(name), "@")
	slash := strings.LastIndex(name, "/")
	if colon := strings.LastIndex(name, ":"); colon > slash {
		name = name[:colon]
	}
	return name
}

// containerName is a readable, unique container name.
func containerName(sessionID string, jobID int64, role string) string {
	return "jobrun-" + strconv.FormatInt(jobID, 10) + "-" + sessionID + "-" + sanitize(role)
}

// sanitize keeps what Docker allows in a name: [a-zA-Z0-9_.-].
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '-'
	}, s)
}
