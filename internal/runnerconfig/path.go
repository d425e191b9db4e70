package runnerconfig

import "path/filepath"

// SystemPath is where gitlab-runner keeps its config when run as root.
const SystemPath = "/etc/gitlab-runner/config.toml"

// DefaultPath is the config.toml gitlab-runner uses when none is named:
// /etc/gitlab-runner/config.toml for root, ~/.gitlab-runner/config.toml
// for anyone else (commands/config.go getDefaultConfigFile).
func DefaultPath(isRoot bool, home string) string {
	if isRoot || home == "" {
		return SystemPath
	}
	return filepath.Join(home, ".gitlab-runner", "config.toml")
}
