package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hvcsdk/hvc/simulator"
	"github.com/hvcsdk/hvc/terraform-provider-hvc/internal/acctest"
)

// TestWalkthrough is the README's walkthrough as a test, step by step: the
// provider binary built with go build, found by terraform through
// dev_overrides (no registry, no init), configured by the environment
// alone as hvcctl sim's exports configure it (HVC_TLS_KNOWN_HOSTS
// included), against the in-process simulator. The first apply, without a
// thumbprint, fails naming the PSC's; the second creates; the link is
// imported again and the first plan after the import updates in place;
// destroy leaves no link. No secret may appear in any output or in any
// state file terraform wrote (backups included), and no session may be
// left open.
func TestWalkthrough(t *testing.T) {
	t.Parallel()
	tf := terraformBinary(t)
	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-hvc"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sim := simulator.Run(t, simulator.WithVersion("8.0U1"))
	kh := filepath.Join(work, "known_hosts")
	host := strings.TrimPrefix(sim.URL(), "https://")
	write(t, kh, host+" "+sim.Thumbprint()+"\n")
	write(t, filepath.Join(work, "dev.tfrc"), "provider_installation {\n  dev_overrides {\n    \"hvcsdk/hvc\" = \""+bin+
		"\"\n  }\n  direct {}\n}\n")
	main, err := os.ReadFile("examples/walkthrough/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "demo")
	write(t, filepath.Join(dir, "main.tf"), string(main))

	// What hvcctl sim exports, and the walkthrough's own exports.
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + work,
		"TF_CLI_CONFIG_FILE=" + filepath.Join(work, "dev.tfrc"), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"HVC_URL=" + sim.URL(), "HVC_USERNAME=" + simulator.DefaultAdminUser, "HVC_PASSWORD=" + simulator.DefaultAdminPassword,
		"HVC_TLS_KNOWN_HOSTS=" + kh,
		"HVC_PSC_USERNAME=" + simulator.DefaultForeignUser, "HVC_PSC_PASSWORD=" + simulator.DefaultForeignPassword,
		"TF_VAR_psc_password=" + simulator.DefaultForeignPassword,
	}
	secrets := []string{simulator.DefaultForeignPassword, simulator.DefaultAdminPassword}
	run := func(wantOK bool, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, tf, append(args, "-no-color")...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); (err == nil) != wantOK {
			t.Fatalf("terraform %s: %v (want success: %v)\n%s", strings.Join(args, " "), err, wantOK, out.String())
		}
		for _, s := range secrets {
			if strings.Contains(out.String(), s) {
				t.Fatalf("terraform %s printed a password", strings.Join(args, " "))
			}
		}
		return out.String()
	}
	mustContain := func(step, out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", step, w, out)
			}
		}
	}

	out := run(false, "apply", "-auto-approve")
	mustContain("apply without a thumbprint", out, "password_wo             = (write-only attribute)",
		"Error: The PSC's certificate is not trusted", "presented a certificate with the thumbprint\n"+simulator.DefaultForeignThumbprint,
		`set ssl_thumbprint =`+"\n"+`"`+simulator.DefaultForeignThumbprint+`"`)
	env = append(env, "TF_VAR_psc_thumbprint="+simulator.DefaultForeignThumbprint)
	out = run(true, "apply", "-auto-approve")
	mustContain("apply", out, "hvc_link.onprem: Creation complete after 0s [id=link-1]", `link = "link-1 (foreign.local): HEALTHY"`)
	noSecretInState(t, dir, secrets, 1)

	mustContain("state rm", run(true, "state", "rm", "hvc_link.onprem"), "Successfully removed 1 resource instance(s).")
	mustContain("import", run(true, "import", "hvc_link.onprem", "link-1"), "Import successful!")
	out = run(true, "plan")
	mustContain("plan after import", out, "# hvc_link.onprem will be updated in-place",
		`+ psc_hostname            = "psc.foreign.example"`, "Plan: 0 to add, 1 to change, 0 to destroy.")
	if strings.Contains(out, "must be replaced") {
		t.Errorf("the first plan after an import replaces the link:\n%s", out)
	}
	mustContain("apply after import", run(true, "apply", "-auto-approve"), "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.")
	mustContain("plan after apply", run(true, "plan"), "No changes.")
	mustContain("destroy", run(true, "destroy", "-auto-approve"), "Destroy complete! Resources: 2 destroyed.")
	noSecretInState(t, dir, secrets, 3)

	if l := sim.Links(); len(l) != 0 {
		t.Errorf("links left after destroy: %v", l)
	}
	if n := sim.SessionCount(); n != 0 {
		t.Errorf("%d sessions left open (logins: %d)", n, sim.LoginCount())
	}
	t.Logf("logins for the walkthrough's 8 terraform commands: %d", sim.LoginCount())
}

// sessionIDShape is what the simulator's session ids look like (16 random
// bytes in hex); terraform's own strings in a state file (the lineage, a
// UUID; thumbprints, with colons) never do.
var sessionIDShape = regexp.MustCompile(`(^|[^0-9a-fA-F])[0-9a-f]{32}([^0-9a-fA-F]|$)`)

// noSecretInState fails the test when any state file terraform wrote in
// dir (terraform.tfstate, its .backup and the dated backups of state rm)
// holds one of secrets or a session id, in its text or in an instance's
// private data (base64 in the file, of a JSON object of base64 values as
// the framework writes it), or a non-null
// password_wo. At least minFiles state files must be found, one holding
// link-1, so that the scan cannot pass by looking at nothing.
func noSecretInState(t *testing.T, dir string, secrets []string, minFiles int) {
	t.Helper()
	files, sawLink := 0, false
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(d.Name(), ".tfstate") {
			return err
		}
		files++
		b, err := os.ReadFile(p) //nolint:gosec // G304: the test's own temp dir
		if err != nil {
			return err
		}
		var st struct {
			Resources []struct {
				Type      string
				Instances []struct {
					Attributes map[string]any
					Private    []byte // base64 in the file
				}
			}
		}
		if err := json.Unmarshal(b, &st); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		texts := []string{string(b)}
		for _, r := range st.Resources {
			for _, in := range r.Instances {
				texts = append(texts, string(in.Private))
				// The framework keeps a provider's private data as a JSON
				// object of base64 values.
				var keys map[string][]byte
				if json.Unmarshal(in.Private, &keys) == nil {
					for _, v := range keys {
						texts = append(texts, string(v))
					}
				}
				if r.Type == "hvc_link" {
					sawLink = sawLink || in.Attributes["id"] == "link-1"
					if v, ok := in.Attributes["password_wo"]; ok && v != nil {
						t.Errorf("%s: password_wo is not null", d.Name())
					}
				}
			}
		}
		for _, text := range texts {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("%s holds a password", d.Name())
				}
			}
			if m := sessionIDShape.FindString(text); m != "" {
				t.Errorf("%s holds a session id", d.Name())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < minFiles || !sawLink {
		t.Fatalf("found %d state files in %s (want %d or more), link-1 in one: %v: the scan missed the state", files, dir, minFiles, sawLink)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil { //nolint:gosec // G703: a path under the test's own temp dir
		t.Fatal(err)
	}
}

// terraformBinary is the terraform to run (acctest.Find); the test is
// skipped, saying why, when there is none.
func terraformBinary(t *testing.T) string {
	t.Helper()
	tf, why := acctest.Find(os.Getenv, exec.LookPath)
	if tf == "" {
		t.Skip("skipped: " + why)
	}
	return tf
}
