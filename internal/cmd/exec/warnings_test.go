package exec

import (
	"slices"
	"testing"
)

// exec's Docker flags are judged by lint-config's rules: nothing for the
// defaults, the token-theft rules for what hands a job the host.
func TestDockerWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"defaults", Options{Concurrency: 2}, nil},
		{"privileged", Options{Concurrency: 1, Privileged: true}, []string{"JR030"}},
		{"docker socket", Options{Concurrency: 1, Volumes: []string{"/var/run/docker.sock:/var/run/docker.sock"}}, []string{"JR032"}},
		{"host network", Options{Concurrency: 1, Network: "host"}, []string{"JR037"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range dockerWarnings(&tc.opts) {
				got = append(got, f.Code)
			}
			for _, code := range tc.want {
				if !slices.Contains(got, code) {
					t.Errorf("findings %v lack %s", got, code)
				}
			}
			if tc.want == nil && len(got) != 0 {
				t.Errorf("findings %v, want none", got)
			}
		})
	}
}
