// Package config loads jobrun's own configuration (jobrun.yaml and JOBRUN_*
// environment variables) and applies it to a command's flags, so that the
// precedence is the one the command-line contract fixes:
//
//	flag > JOBRUN_* environment > jobrun.yaml (project, then user config dir) > default
//
// Commands never read viper themselves: after Apply, every flag holds its
// effective value and the command's options struct is filled from flags only.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// FileName is the name of jobrun's configuration file.
const FileName = "jobrun.yaml"

// EnvPrefix prefixes every environment variable jobrun reads as configuration.
const EnvPrefix = "JOBRUN"

// Sources says where configuration comes from. Empty fields mean "the
// default place"; tests set them all.
type Sources struct {
	ExplicitFile string                      // --config PATH: the only file read when set
	ProjectDir   string                      // jobrun.yaml here first
	UserDir      string                      // then <UserDir>/jobrun/jobrun.yaml (os.UserConfigDir by default)
	LookupEnv    func(string) (string, bool) // os.LookupEnv by default
}

// Config is the loaded configuration: file values plus the environment.
type Config struct {
	v         *viper.Viper
	lookupEnv func(string) (string, bool)
	files     []string
}

// Load reads the configuration files. A missing default file is fine; a
// missing --config file or a malformed one is an error naming the file.
func Load(src Sources) (*Config, error) {
	c := &Config{v: viper.New(), lookupEnv: src.LookupEnv}
	if c.lookupEnv == nil {
		c.lookupEnv = os.LookupEnv
	}
	c.v.SetConfigType("yaml")
	if src.ExplicitFile != "" {
		if err := c.merge(src.ExplicitFile, true); err != nil {
			return nil, err
		}
		return c, nil
	}
	userDir := src.UserDir
	if userDir == "" {
		if d, err := os.UserConfigDir(); err == nil {
			userDir = d
		}
	}
	// Lower precedence first: each merge overrides what came before.
	if userDir != "" {
		if err := c.merge(filepath.Join(userDir, "jobrun", FileName), false); err != nil {
			return nil, err
		}
	}
	projectDir := src.ProjectDir
	if projectDir == "" {
		projectDir = "."
	}
	if err := c.merge(filepath.Join(projectDir, FileName), false); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) merge(path string, required bool) error {
	f, err := os.Open(path)
	if err != nil {
		if !required && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	if err := c.v.MergeConfig(f); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	c.files = append(c.files, path)
	return nil
}

// Files lists the configuration files that were read, lowest precedence first.
func (c *Config) Files() []string { return c.files }

// Sub returns the raw value at key ("exec.projects", say) for the settings
// that have no flag, such as lists of maps.
func (c *Config) Sub(key string) any { return c.v.Get(key) }

// Apply sets every flag of cmd (its own and the inherited global ones) that
// was not given on the command line from, in order, the environment
// (JOBRUN_<COMMAND>_<FLAG>, or JOBRUN_<FLAG> for global flags) and the file
// (key "<command>.<flag>", or "<flag>" for global flags).
func (c *Config) Apply(cmd *cobra.Command) error {
	var errs []error
	apply := func(fl *pflag.FlagSet, scope string) {
		fl.VisitAll(func(f *pflag.Flag) {
			if f.Changed || f.Name == "help" || f.Name == "config" {
				return
			}
			if err := c.applyFlag(f, scope); err != nil {
				errs = append(errs, err)
			}
		})
	}
	apply(cmd.LocalNonPersistentFlags(), commandScope(cmd))
	apply(cmd.InheritedFlags(), "")
	apply(cmd.PersistentFlags(), "")
	return errors.Join(errs...)
}

// commandScope is the dotted path of a subcommand below the root:
// "exec", or "foo.bar" for nested commands.
func commandScope(cmd *cobra.Command) string {
	var parts []string
	for p := cmd; p != nil && p.HasParent(); p = p.Parent() {
		parts = append([]string{p.Name()}, parts...)
	}
	return strings.Join(parts, ".")
}

func (c *Config) applyFlag(f *pflag.Flag, scope string) error {
	key := f.Name
	if scope != "" {
		key = scope + "." + f.Name
	}
	envName := EnvPrefix + "_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
	if val, ok := c.lookupEnv(envName); ok {
		if err := setFlag(f, []string{val}); err != nil {
			return fmt.Errorf("environment %s: %v", envName, err)
		}
		return nil
	}
	if !c.v.IsSet(key) {
		return nil
	}
	raw := c.v.Get(key)
	var vals []string
	switch t := raw.(type) {
	case []any:
		for _, e := range t {
			vals = append(vals, fmt.Sprint(e))
		}
	case map[string]any:
		return fmt.Errorf("%s: key %q: expected a value or a list, found a mapping", c.lastFile(), key)
	default:
		vals = []string{fmt.Sprint(t)}
	}
	if err := setFlag(f, vals); err != nil {
		return fmt.Errorf("%s: key %q: %v", c.lastFile(), key, err)
	}
	return nil
}

func (c *Config) lastFile() string {
	if len(c.files) == 0 {
		return FileName
	}
	return c.files[len(c.files)-1]
}

// setFlag sets a flag as if it had been given once per value. Slice flags
// given through the environment take a comma-separated list.
func setFlag(f *pflag.Flag, vals []string) error {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		var items []string
		for _, v := range vals {
			if len(vals) == 1 {
				items = append(items, splitList(v)...)
			} else {
				items = append(items, v)
			}
		}
		return sv.Replace(items)
	}
	if len(vals) != 1 {
		return fmt.Errorf("expected one value, found a list")
	}
	return f.Value.Set(vals[0])
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
