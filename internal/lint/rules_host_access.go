package lint

import (
	"path"
	"slices"
	"strings"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// JR033
type sensitiveHostPathMount struct{}

func (sensitiveHostPathMount) Meta() Meta {
	return Meta{Code: "JR033", Slug: "sensitive-host-path-mount", Severity: High,
		Title: "Sensitive host directory bind-mounted",
		Help:  "A host system directory in a job exposes host secrets (SSH keys, /etc/gitlab-runner with every runner token) to every pipeline.",
		Fix:   "mount only a dedicated data directory"}
}

func (r sensitiveHostPathMount) check(s *scope) []Finding {
	d := dockerOf(s.rOrNil())
	if d == nil {
		return nil
	}
	var out []Finding
	for i, v := range d.Volumes {
		host, _, mode, ok := bind(v)
		if !ok || isRuntimeSocket(host) || !sensitiveHostPath(host) {
			continue
		}
		sev, msg := High, "volumes binds the host's "+host+" into every job"
		if slices.Contains(strings.Split(mode, ","), "ro") {
			sev, msg = Medium, msg+" (read-only)"
		}
		if c := path.Clean(host); c == "/etc/gitlab-runner" || strings.HasPrefix(c, "/etc/gitlab-runner/") {
			sev, msg = High, msg+": it holds every runner's token"
		}
		f := s.finding(r.Meta(), sev, ConfidenceHigh, "docker.volumes", msg)
		f.Detail = v
		s.elemPos(&f, "docker.volumes", i)
		out = append(out, f)
	}
	return out
}

// mountsSensitiveHostPath: a docker volume binds a host system directory (JR033).
func mountsSensitiveHostPath(r *runnerconfig.Runner) bool {
	d := dockerOf(r)
	if d == nil {
		return false
	}
	for _, v := range d.Volumes {
		if host, _, _, ok := bind(v); ok && sensitiveHostPath(host) {
			return true
		}
	}
	return false
}

// rOrNil lets runner-only rules start with one nil check.
func (s *scope) rOrNil() *runnerconfig.Runner { return s.r }

// JR034
type sharedHostBuildOrCacheDir struct{}

func (sharedHostBuildOrCacheDir) Meta() Meta {
	return Meta{Code: "JR034", Slug: "shared-host-build-or-cache-dir", Severity: Medium,
		Title: "Host directory shared by every project's jobs",
		Help:  "Host-bound build and cache directories are not separated per project or protected ref: a job can poison another project's cache or read its code.",
		Fix:   "use dynamic volumes (\"/cache\" without a host part) or a distributed cache"}
}

func (r sharedHostBuildOrCacheDir) check(s *scope) []Finding {
	d := dockerOf(s.rOrNil())
	if d == nil {
		return nil
	}
	targets := []string{"/builds", "/cache"}
	for _, dir := range []string{s.r.BuildsDir, s.r.CacheDir} {
		if strings.HasPrefix(dir, "/") {
			targets = append(targets, path.Clean(dir))
		}
	}
	var out []Finding
	for i, v := range d.Volumes {
		host, dst, _, ok := bind(v)
		if !ok || isRuntimeSocket(host) || !slices.Contains(targets, path.Clean(dst)) {
			continue
		}
		f := s.finding(r.Meta(), Medium, ConfidenceHigh, "docker.volumes",
			"volumes binds the host's "+host+" as "+dst+", shared by every project's jobs")
		f.Detail = v
		s.elemPos(&f, "docker.volumes", i)
		out = append(out, f)
	}
	if strings.HasPrefix(d.CacheDir, "/") && !d.DisableCache {
		out = append(out, s.finding(r.Meta(), Medium, ConfidenceMedium, "docker.cache_dir",
			"cache_dir = \""+d.CacheDir+"\" keeps every project's cache volumes in one host directory"))
	}
	return out
}

// JR035
type dangerousCapabilities struct{}

func (dangerousCapabilities) Meta() Meta {
	return Meta{Code: "JR035", Slug: "dangerous-capabilities", Severity: High,
		Title: "Powerful Linux capabilities added",
		Help:  "These capabilities let a job reach the host kernel, other processes or the network stack.",
		Fix:   "remove them; drop SETUID and SETGID and run jobs as a non-root user"}
}

var highCaps = []string{"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "DAC_READ_SEARCH", "SYS_RAWIO", "BPF"}
var lowCaps = []string{"NET_ADMIN", "NET_RAW"}

func (r dangerousCapabilities) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	var out []Finding
	scan := func(key string, caps []string) {
		for i, c := range caps {
			name := strings.TrimPrefix(strings.ToUpper(c), "CAP_")
			sev := Severity(-1)
			switch {
			case slices.Contains(highCaps, name):
				sev = High
			case slices.Contains(lowCaps, name):
				sev = Low
			default:
				continue
			}
			f := s.finding(r.Meta(), sev, ConfidenceHigh, key, "cap_add grants "+name+" to job containers")
			f.Detail = name
			s.elemPos(&f, key, i)
			out = append(out, f)
		}
	}
	if d := dockerOf(s.r); d != nil {
		scan("docker.cap_add", d.CapAdd)
	}
	if k := kubernetesOf(s.r); k != nil {
		scan("kubernetes.cap_add", k.CapAdd)
	}
	return out
}

// JR036
type securityProfileDisabled struct{}

func (securityProfileDisabled) Meta() Meta {
	return Meta{Code: "JR036", Slug: "security-profile-disabled", Severity: High,
		Title: "seccomp/AppArmor/SELinux disabled",
		Help:  "Removing the syscall filter or the LSM profile widens the kernel attack surface a job can use to break out.",
		Fix:   "drop the option, or use a custom profile"}
}

var unconfinedOpts = []string{"seccomp=unconfined", "seccomp:unconfined", "apparmor=unconfined", "apparmor:unconfined",
	"label=disable", "label:disable", "no-new-privileges=false", "no-new-privileges:false"}

func (r securityProfileDisabled) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	var out []Finding
	if d := dockerOf(s.r); d != nil {
		for _, opts := range []struct {
			key  string
			list []string
		}{{"docker.security_opt", d.SecurityOpt}, {"docker.services_security_opt", d.ServicesSecurityOpt}} {
			for i, o := range opts.list {
				if !slices.Contains(unconfinedOpts, strings.ToLower(strings.ReplaceAll(o, " ", ""))) {
					continue
				}
				f := s.finding(r.Meta(), High, ConfidenceHigh, opts.key, strings.TrimPrefix(opts.key, "docker.")+" contains \""+o+"\"")
				f.Detail = o
				s.elemPos(&f, opts.key, i)
				out = append(out, f)
			}
		}
	}
	if k := kubernetesOf(s.r); k != nil {
		for _, sc := range kubernetesContexts(k) {
			for _, p := range []struct {
				name string
				prof *runnerconfig.Profile
			}{{"seccomp_profile", sc.seccomp}, {"app_armor_profile", sc.apparmor}} {
				if p.prof != nil && strings.EqualFold(p.prof.Type, "Unconfined") {
					f := s.finding(r.Meta(), High, ConfidenceHigh, "kubernetes."+sc.key+"."+p.name+".type",
						sc.key+"."+p.name+".type = \"Unconfined\"")
					f.Detail = sc.key
					out = append(out, f)
				}
			}
		}
	}
	return out
}
