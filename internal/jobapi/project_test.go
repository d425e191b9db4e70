package jobapi

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestReach(t *testing.T) {
	t.Parallel()
	app := Project{ID: 1, FullPath: "group/app"}
	tests := []struct {
		name    string
		to      Project
		op      access
		allowed bool
		reason  string
	}{
		{"own project, write", app, write, true, "own project"},
		{"private, empty allowlist", Project{ID: 2, FullPath: "group/lib"}, read, false,
			"group/app is not on the CI/CD job token allowlist of group/lib"},
		{"private, allowlist names another project", Project{ID: 2, FullPath: "group/lib",
			TokenScope: TokenScope{Allowlist: []string{"group/other", "7"}}}, read, false,
			"group/app is not on the CI/CD job token allowlist of group/lib"},
		{"private, allowlisted by path", Project{ID: 2, FullPath: "group/lib",
			TokenScope: TokenScope{Allowlist: []string{"group/app"}}}, write, true, "group/app is on the allowlist of group/lib"},
		{"private, allowlisted by id", Project{ID: 2, FullPath: "group/lib",
			TokenScope: TokenScope{Allowlist: []string{"1"}}}, read, true, "group/app is on the allowlist of group/lib"},
		{"private, allowlisted by group", Project{ID: 2, FullPath: "other/lib",
			TokenScope: TokenScope{Allowlist: []string{"group"}}}, read, true, "group/app is on the allowlist of other/lib"},
		{"allowlisted by path, other case", Project{ID: 2, FullPath: "group/lib",
			TokenScope: TokenScope{Allowlist: []string{"Group/App"}}}, read, true, "group/app is on the allowlist of group/lib"},
		{"a group-name prefix is not the group", Project{ID: 2, FullPath: "other/lib",
			TokenScope: TokenScope{Allowlist: []string{"gro"}}}, read, false,
			"group/app is not on the CI/CD job token allowlist of other/lib"},
		{"private, limit off", Project{ID: 2, FullPath: "group/lib",
			TokenScope: TokenScope{AllowAllProjects: true}}, write, true, "limit access is off in group/lib"},
		{"public, read", Project{ID: 3, FullPath: "oss/tool", Visibility: Public}, read, true, "public project"},
		{"internal, read", Project{ID: 3, FullPath: "corp/tool", Visibility: Internal}, read, true, "internal project"},
		{"public, write without entry", Project{ID: 3, FullPath: "oss/tool", Visibility: Public}, write, false,
			"group/app is not on the CI/CD job token allowlist of oss/tool (required to write to a public project)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := reach(app, tt.to, tt.op)
			if d.allowed != tt.allowed || d.reason != tt.reason {
				t.Errorf("reach = %v %q, want %v %q", d.allowed, d.reason, tt.allowed, tt.reason)
			}
			if tt.allowed != (d.note == "") {
				t.Errorf("note = %q; a note belongs to denials only", d.note)
			}
			if !tt.allowed && (!strings.Contains(d.note, tt.to.FullPath+"'s job token allowlist lacks group/app") || strings.Contains(d.note, "\n")) {
				t.Errorf("note %q does not name the missing allowlist entry on one line", d.note)
			}
		})
	}
}

func TestNewProjectSetRejects(t *testing.T) {
	t.Parallel()
	ok := Project{ID: 1, FullPath: "group/app"}
	tests := []struct {
		name     string
		projects []Project
		want     string
	}{
		{"bad visibility", []Project{{ID: 1, FullPath: "g/a", Visibility: "secret"}}, `visibility "secret": expected private, internal or public`},
		{"zero id", []Project{{FullPath: "g/a"}}, "id 0: expected a positive number"},
		{"traversal in path", []Project{{ID: 1, FullPath: "g/../a"}}, `path "g/../a"`},
		{"empty path", []Project{{ID: 1}}, `path ""`},
		{"duplicate id", []Project{ok, {ID: 1, FullPath: "group/other"}}, "id 1 is used twice"},
		{"duplicate path", []Project{ok, {ID: 2, FullPath: "Group/App"}}, "path Group/App is used twice"},
		{"bad allowlist entry", []Project{{ID: 1, FullPath: "g/a", TokenScope: TokenScope{Allowlist: []string{"g/../x"}}}},
			`allowlist entry "g/../x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := newProjectSet(tt.projects)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestProjectSetFind(t *testing.T) {
	t.Parallel()
	set, err := newProjectSet([]Project{{ID: 1, FullPath: "group/app"}, {ID: 22, FullPath: "group/sub/lib"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref    string
		wantID int64
	}{
		{"1", 1}, {"22", 22}, {"group/app", 1}, {"GROUP/App", 1}, {"group/sub/lib", 22},
		{"3", 0}, {"group", 0}, {"group/app/", 0}, {"", 0},
	}
	for _, tt := range tests {
		p, ok := set.find(tt.ref)
		if ok != (tt.wantID != 0) || p.ID != tt.wantID {
			t.Errorf("find(%q) = %d, %v; want %d", tt.ref, p.ID, ok, tt.wantID)
		}
	}
}

func TestProjectsFromYAML(t *testing.T) {
	t.Parallel()
	doc := `
- id: 2
  path: group/lib
  dir: ../lib
  visibility: internal
  job_token_scope: {allow_all_projects: true, allowlist: [group/app, "7"]}
- id: 3
  path: group/private
`
	var got []Project
	if err := yaml.Unmarshal([]byte(doc), &got); err != nil {
		t.Fatal(err)
	}
	want := []Project{
		{ID: 2, FullPath: "group/lib", Dir: "../lib", Visibility: Internal,
			TokenScope: TokenScope{AllowAllProjects: true, Allowlist: []string{"group/app", "7"}}},
		{ID: 3, FullPath: "group/private"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("projects (-want +got):\n%s", diff)
	}
	if _, err := newProjectSet(got); err != nil {
		t.Error(err)
	}
	if got[1].visibility() != Private || got[1].TokenScope.AllowAllProjects {
		t.Error("a project without settings is not private with the limit on")
	}
}
