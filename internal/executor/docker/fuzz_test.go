package docker

import (
	"strings"
	"testing"
)

// FuzzServiceAliases: whatever the service name and alias text, every
// alias is non-empty, appears once, and the name-derived ones hold no "/".
func FuzzServiceAliases(f *testing.F) {
	for _, seed := range [][2]string{
		{"postgres:15", ""}, {"registry.example.com/group/tool:1", "db, x"},
		{"localhost:5000/a/b@sha256:00", "a b\tc"}, {"", ","}, {"/:/@", "/"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, name, alias string) {
		got := ServiceAliases(name, alias)
		seen := map[string]bool{}
		for _, a := range got {
			if a == "" || seen[a] {
				t.Fatalf("ServiceAliases(%q, %q) = %q: empty or duplicate alias", name, alias, got)
			}
			seen[a] = true
		}
		if len(got) > 0 && imageWithoutTag(name) != "" && strings.Contains(got[0], "/") {
			t.Fatalf("ServiceAliases(%q, %q)[0] = %q holds a slash", name, alias, got[0])
		}
	})
}

// FuzzProjectDir: the working copy's path always stays under /builds.
func FuzzProjectDir(f *testing.F) {
	for _, seed := range []string{"acme/app", "", "../../etc", "/abs/../x", "a/./b//c", "..\x00/x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := ProjectDir(in)
		if !strings.HasPrefix(got, BuildsDir+"/") || strings.Contains(got, "/../") || strings.HasSuffix(got, "/..") || got == BuildsDir+"/" {
			t.Fatalf("ProjectDir(%q) = %q escapes or names %s itself", in, got, BuildsDir)
		}
	})
}
