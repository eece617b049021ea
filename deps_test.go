package hvc_test

import (
	"encoding/json"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// sharedWithNested are the modules the SDK's module requires that nested
// modules require too; any other module a nested module requires must stay
// out of this one.
var sharedWithNested = []string{"github.com/go-resty/resty/v2", "go.yaml.in/yaml/v3", "golang.org/x/net", "golang.org/x/sync", "golang.org/x/text"}

// TestModuleImportsNoNestedModuleDeps checks, with go list from this
// module's root, that no package of the SDK's module (the SDK, the
// simulator, internal/..., examples/..., tests included) depends on a
// module that only the nested modules require: the CLI's cobra, the
// provider's terraform-plugin-*, interop's and bench's libraries. Those
// modules have go.mod files of their own precisely so that the SDK's
// go.mod carries none of their dependencies.
func TestModuleImportsNoNestedModuleDeps(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: no go toolchain on PATH")
	}
	modEdit := func(dir string) (path string, requires []string) {
		t.Helper()
		cmd := exec.Command(gobin, "mod", "edit", "-json")
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go mod edit -json in %s: %v", dir, err)
		}
		var m struct {
			Module  struct{ Path string }
			Require []struct{ Path string }
		}
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("go mod edit -json in %s: %v", dir, err)
		}
		for _, r := range m.Require {
			requires = append(requires, r.Path)
		}
		return m.Module.Path, requires
	}

	root, _ := modEdit(".")
	// banned: every module a nested module requires but sharedWithNested,
	// and the nested modules themselves, with the one that requires it.
	banned := map[string]string{}
	err = filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() != "go.mod" || p == "go.mod" {
			return nil
		}
		dir := filepath.Dir(p)
		path, reqs := modEdit(dir)
		banned[path] = dir
		for _, r := range reqs {
			if r != root && !slices.Contains(sharedWithNested, r) {
				banned[r] = dir
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The check is worth something only if it knows the libraries it is
	// there to keep out.
	for _, must := range []string{"github.com/spf13/cobra", "github.com/hashicorp/terraform-plugin-framework",
		"github.com/hashicorp/terraform-plugin-testing", root + "/cmd/hvcctl", root + "/terraform-provider-hvc"} {
		if banned[must] == "" {
			t.Fatalf("no nested module requires %s: the list of modules to keep out is wrong: %v", must, banned)
		}
	}

	cmd := exec.Command(gobin, "list", "-deps", "-test", "-f", "{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}", "./...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps -test ./...: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 50 {
		t.Fatalf("go list listed only %d packages: %q", len(lines), out)
	}
	bad := map[string]bool{}
	for _, l := range lines {
		pkg, mod, _ := strings.Cut(l, " ")
		if dir, ok := banned[mod]; ok {
			bad[pkg+" (module "+mod+", which "+dir+"/go.mod requires)"] = true
		}
	}
	var list []string
	for b := range bad {
		list = append(list, b)
	}
	sort.Strings(list)
	for _, b := range list {
		t.Errorf("a package of %s depends on %s; if the SDK is meant to share that module, add it to sharedWithNested", root, b)
	}
}
