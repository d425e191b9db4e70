package client

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// SystemIDFile is the name of the file next to config.toml that keeps the
// host's runner system id.
const SystemIDFile = ".runner_system_id"

var systemIDPattern = regexp.MustCompile(`^[sr]_[0-9a-zA-Z]{12}$`)

// ValidSystemID reports whether id has GitLab's system id format.
func ValidSystemID(id string) bool { return systemIDPattern.MatchString(id) }

// LoadSystemID returns the system id kept next to configPath, creating
// the file when it is missing or malformed: "s_" + 12 characters derived
// from the machine id (so one host keeps one id), or "r_" + 12 random
// characters when the host has no machine id.
func LoadSystemID(configPath string) (string, error) {
	path := filepath.Join(filepath.Dir(configPath), SystemIDFile)
	if data, err := os.ReadFile(path); err == nil {
		if id := strings.TrimSpace(string(data)); ValidSystemID(id) {
			return id, nil
		}
	} else if !os.IsNotExist(err) {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	id := newSystemID(machineID())
	if err := writeFileAtomic(path, []byte(id+"\n"), 0o644); err != nil {
		return "", err
	}
	return id, nil
}

func machineID() string {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if data, err := os.ReadFile(p); err == nil {
			if id := strings.TrimSpace(string(data)); id != "" {
				return id
			}
		}
	}
	return ""
}

const base62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// newSystemID hashes the machine id (never sent as is: it is meant to stay
// on the host) or, without one, uses random bytes.
func newSystemID(machine string) string {
	prefix := "s_"
	var seed []byte
	if machine != "" {
		sum := sha256.Sum256([]byte("jobrun system id\x00" + machine))
		seed = sum[:]
	} else {
		prefix = "r_"
		seed = make([]byte, 32)
		_, _ = rand.Read(seed)
	}
	var b strings.Builder
	b.WriteString(prefix)
	for _, c := range seed[:12] {
		b.WriteByte(base62[int(c)%len(base62)])
	}
	return b.String()
}

// writeFileAtomic writes data to a temporary file in the same directory
// and renames it over path, so a failed write leaves the old file intact.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
