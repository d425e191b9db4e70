// Package runnerconfig reads a GitLab Runner config.toml into jobrun's own
// model of it. Values are decoded by github.com/BurntSushi/toml, the library
// and the case-insensitive key matching GitLab Runner itself uses, so a value
// means here what it means to the runner. A second pass keeps the
// file:line:column of every key and the comments, and compares every key
// with the runner's schema (keys.tsv, 738 keys of GitLab Runner v19.4) to
// report the ones the runner would silently ignore.
//
// The model holds the settings jobrun reasons about (security rules, and
// `jobrun run`), not all 738 keys; the key table covers the rest.
package runnerconfig

import "fmt"

// Config is the top level of config.toml (GitLab Runner's common.Config).
type Config struct {
	Concurrent    int            `toml:"concurrent"`
	ListenAddress string         `toml:"listen_address"`
	LogLevel      string         `toml:"log_level"`
	SessionServer *SessionServer `toml:"session_server"`
	Runners       []Runner       `toml:"runners"`
}

// SessionServer is [session_server]; its listen_address enables the
// interactive web terminal.
type SessionServer struct {
	ListenAddress    string `toml:"listen_address"`
	AdvertiseAddress string `toml:"advertise_address"`
	SessionTimeout   int    `toml:"session_timeout"`
}

// Runner is one [[runners]] entry.
type Runner struct {
	Name      string `toml:"name"`
	URL       string `toml:"url"`
	Token     string `toml:"token"`
	Executor  string `toml:"executor"`
	Shell     string `toml:"shell"`
	Limit     int    `toml:"limit"`
	CloneURL  string `toml:"clone_url"`
	BuildsDir string `toml:"builds_dir"`
	CacheDir  string `toml:"cache_dir"`
	// OutputLimit is the most job log kept, in KiB (GitLab Runner: 4096).
	OutputLimit          int      `toml:"output_limit"`
	Environment          []string `toml:"environment"`
	PreGetSourcesScript  string   `toml:"pre_get_sources_script"`
	PostGetSourcesScript string   `toml:"post_get_sources_script"`
	PreBuildScript       string   `toml:"pre_build_script"`
	PostBuildScript      string   `toml:"post_build_script"`
	// PreCloneScript and PostCloneScript were removed in Runner 17.0: the
	// runner ignores them, but jobrun still reads them to lint what they
	// would do (operators often believe they still run). As the runner
	// ignores them, a value of any type is accepted.
	PreCloneScript     DeadString      `toml:"pre_clone_script"`
	PostCloneScript    DeadString      `toml:"post_clone_script"`
	DebugTraceDisabled bool            `toml:"debug_trace_disabled"`
	CleanGitConfig     *bool           `toml:"clean_git_config"`
	FeatureFlags       map[string]bool `toml:"feature_flags"`
	TLSCAFile          string          `toml:"tls-ca-file"`

	Docker     *Docker     `toml:"docker"`
	Kubernetes *Kubernetes `toml:"kubernetes"`
	Machine    *Machine    `toml:"machine"`
	Autoscaler *Autoscaler `toml:"autoscaler"`
	SSH        *SSH        `toml:"ssh"`
	Cache      *Cache      `toml:"cache"`
}

// Docker is [runners.docker].
type Docker struct {
	Host                      string        `toml:"host"`
	TLSVerify                 bool          `toml:"tls_verify"`
	TLSCertPath               string        `toml:"tls_cert_path"`
	Image                     string        `toml:"image"`
	Privileged                bool          `toml:"privileged"`
	ServicesPrivileged        *bool         `toml:"services_privileged"`
	AllowedPrivilegedImages   []string      `toml:"allowed_privileged_images"`
	AllowedPrivilegedServices []string      `toml:"allowed_privileged_services"`
	AllowedImages             []string      `toml:"allowed_images"`
	AllowedServices           []string      `toml:"allowed_services"`
	PullPolicy                StringOrArray `toml:"pull_policy"`
	AllowedPullPolicies       []string      `toml:"allowed_pull_policies"`
	Volumes                   []string      `toml:"volumes"`
	CapAdd                    []string      `toml:"cap_add"`
	SecurityOpt               []string      `toml:"security_opt"`
	ServicesSecurityOpt       []string      `toml:"services_security_opt"`
	NetworkMode               string        `toml:"network_mode"`
	PidMode                   string        `toml:"pid_mode"`
	IpcMode                   string        `toml:"ipcmode"`
	UsernsMode                string        `toml:"userns_mode"`
	DisableCache              bool          `toml:"disable_cache"`
	CacheDir                  string        `toml:"cache_dir"`
	HelperImage               string        `toml:"helper_image"`
	Services                  []Service     `toml:"services"`
}

// Service is one [[runners.docker.services]] or [[runners.kubernetes.services]].
type Service struct {
	Name        string   `toml:"name"`
	Environment []string `toml:"environment"`
}

// Kubernetes is [runners.kubernetes].
type Kubernetes struct {
	Privileged                     *bool              `toml:"privileged"`
	AllowPrivilegeEscalation       *bool              `toml:"allow_privilege_escalation"`
	CapAdd                         []string           `toml:"cap_add"`
	BearerToken                    string             `toml:"bearer_token"`
	BearerTokenOverwriteAllowed    bool               `toml:"bearer_token_overwrite_allowed"`
	ServiceAccount                 string             `toml:"service_account"`
	ServiceAccountOverwriteAllowed string             `toml:"service_account_overwrite_allowed"`
	NamespaceOverwriteAllowed      string             `toml:"namespace_overwrite_allowed"`
	PodAnnotationsOverwriteAllowed string             `toml:"pod_annotations_overwrite_allowed"`
	NodeSelectorOverwriteAllowed   string             `toml:"node_selector_overwrite_allowed"`
	AllowedImages                  []string           `toml:"allowed_images"`
	AllowedServices                []string           `toml:"allowed_services"`
	PullPolicy                     StringOrArray      `toml:"pull_policy"`
	AllowedPullPolicies            []string           `toml:"allowed_pull_policies"`
	PodSecurityContext             *SecurityContext   `toml:"pod_security_context"`
	BuildSecurityContext           *SecurityContext   `toml:"build_container_security_context"`
	HelperSecurityContext          *SecurityContext   `toml:"helper_container_security_context"`
	ServiceSecurityContext         *SecurityContext   `toml:"service_container_security_context"`
	Volumes                        *KubernetesVolumes `toml:"volumes"`
	Services                       []Service          `toml:"services"`
}

// SecurityContext is a pod or container security context of the
// Kubernetes executor (only the fields that weaken isolation).
type SecurityContext struct {
	Privileged               *bool    `toml:"privileged"`
	AllowPrivilegeEscalation *bool    `toml:"allow_privilege_escalation"`
	RunAsNonRoot             *bool    `toml:"run_as_non_root"`
	RunAsUser                *int64   `toml:"run_as_user"`
	SeccompProfile           *Profile `toml:"seccomp_profile"`
	AppArmorProfile          *Profile `toml:"app_armor_profile"`
}

// Profile is a seccomp or AppArmor profile reference.
type Profile struct {
	Type string `toml:"type"`
}

// KubernetesVolumes is [runners.kubernetes.volumes]; only host paths matter here.
type KubernetesVolumes struct {
	HostPath []KubernetesHost `toml:"host_path"`
}

// KubernetesHost is one [[runners.kubernetes.volumes.host_path]].
type KubernetesHost struct {
	Name      string `toml:"name"`
	MountPath string `toml:"mount_path"`
	HostPath  string `toml:"host_path"`
	ReadOnly  bool   `toml:"read_only"`
}

// Machine is [runners.machine] (docker+machine; CamelCase keys).
type Machine struct {
	MaxBuilds      int      `toml:"MaxBuilds"`
	MachineOptions []string `toml:"MachineOptions"`
}

// Autoscaler is [runners.autoscaler] (docker-autoscaler and instance).
type Autoscaler struct {
	CapacityPerInstance int              `toml:"capacity_per_instance"`
	MaxUseCount         int              `toml:"max_use_count"`
	ConnectorConfig     *ConnectorConfig `toml:"connector_config"`
	VMIsolation         *VMIsolation     `toml:"vm_isolation"`
}

// ConnectorConfig is [runners.autoscaler.connector_config].
type ConnectorConfig struct {
	Username string `toml:"username"`
	Password string `toml:"password"`
}

// VMIsolation is [runners.autoscaler.vm_isolation].
type VMIsolation struct {
	Enabled bool `toml:"enabled"`
}

// SSH is [runners.ssh].
type SSH struct {
	User                         string `toml:"user"`
	Password                     string `toml:"password"`
	Host                         string `toml:"host"`
	DisableStrictHostKeyChecking *bool  `toml:"disable_strict_host_key_checking"`
	KnownHostsFile               string `toml:"known_hosts_file"`
	IdentityFile                 string `toml:"identity_file"`
}

// Cache is [runners.cache] (CamelCase keys, as in the runner).
type Cache struct {
	Type   string      `toml:"Type"`
	Shared bool        `toml:"Shared"`
	S3     *CacheS3    `toml:"s3"`
	GCS    *CacheGCS   `toml:"gcs"`
	Azure  *CacheAzure `toml:"azure"`
}

// CacheS3 is [runners.cache.s3].
type CacheS3 struct {
	ServerAddress string `toml:"ServerAddress"`
	AccessKey     string `toml:"AccessKey"`
	SecretKey     string `toml:"SecretKey"`
	Insecure      bool   `toml:"Insecure"`
}

// CacheGCS is [runners.cache.gcs].
type CacheGCS struct {
	PrivateKey string `toml:"PrivateKey"`
}

// CacheAzure is [runners.cache.azure].
type CacheAzure struct {
	AccountKey string `toml:"AccountKey"`
}

// StringOrArray is a value the runner accepts as one string or a list of
// strings (pull_policy).
type StringOrArray []string

// UnmarshalTOML implements toml.Unmarshaler.
func (s *StringOrArray) UnmarshalTOML(v any) error {
	switch t := v.(type) {
	case string:
		*s = StringOrArray{t}
	case []any:
		out := make(StringOrArray, 0, len(t))
		for _, e := range t {
			str, ok := e.(string)
			if !ok {
				return fmt.Errorf("expected a string or a list of strings, found a list holding %T", e)
			}
			out = append(out, str)
		}
		*s = out
	default:
		return fmt.Errorf("expected a string or a list of strings, found %T", v)
	}
	return nil
}

// DeadString is a key the runner no longer reads: its value is kept when
// it is a string, and any other type is accepted without error, as the
// runner would accept it.
type DeadString string

// UnmarshalTOML implements toml.Unmarshaler.
func (d *DeadString) UnmarshalTOML(v any) error {
	if s, ok := v.(string); ok {
		*d = DeadString(s)
	}
	return nil
}
