package pipeline

import (
	"bytes"

	"go.yaml.in/yaml/v3"
)

// preview prints the configuration after includes, extends and
// references: what GitLab's "full configuration" view shows.
func (c *compiler) preview() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c.root.toYAML()); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
