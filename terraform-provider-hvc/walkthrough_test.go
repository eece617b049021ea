package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	goversion "github.com/hashicorp/go-version"

	"github.com/hvcsdk/hvc/simulator"
)

// TestWalkthrough is the README's walkthrough as a test: the provider
// binary built with go build, found by terraform through dev_overrides (no
// registry, no init), configured by the environment alone as hvcctl sim's
// exports configure it (HVC_TLS_KNOWN_HOSTS included), against the
// in-process simulator. The password must appear in no plan output and no
// state file, and no session may be left open.
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

	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + work,
		"TF_CLI_CONFIG_FILE=" + filepath.Join(work, "dev.tfrc"), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"HVC_URL=" + sim.URL(), "HVC_USERNAME=" + simulator.DefaultAdminUser, "HVC_PASSWORD=" + simulator.DefaultAdminPassword,
		"HVC_TLS_KNOWN_HOSTS=" + kh,
		"TF_VAR_psc_password=" + simulator.DefaultForeignPassword,
		"TF_VAR_psc_thumbprint=" + simulator.DefaultForeignThumbprint,
	}
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, tf, append(args, "-no-color")...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		if strings.Contains(out.String(), simulator.DefaultForeignPassword) {
			t.Fatalf("terraform %s printed the password", strings.Join(args, " "))
		}
		return out.String()
	}
	plan := run("plan")
	if !strings.Contains(plan, "password_wo             = (write-only attribute)") {
		t.Errorf("plan does not show password_wo as write-only:\n%s", plan)
	}
	if out := run("apply", "-auto-approve"); !regexp.MustCompile(`link = "link-1 \(foreign\.local\): HEALTHY"`).MatchString(out) {
		t.Errorf("apply output lacks the link output:\n%s", out)
	}
	state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(state), `"link-1"`) || strings.Contains(string(state), simulator.DefaultForeignPassword) {
		t.Errorf("state file: link-1 missing or the password present")
	}
	if out := run("plan"); !strings.Contains(out, "No changes.") {
		t.Errorf("plan after apply is not empty:\n%s", out)
	}
	run("destroy", "-auto-approve")
	if l := sim.Links(); len(l) != 0 {
		t.Errorf("links left after destroy: %v", l)
	}
	if n := sim.SessionCount(); n != 0 {
		t.Errorf("%d sessions left open (logins: %d)", n, sim.LoginCount())
	}
	t.Logf("logins for plan, apply, plan, destroy: %d", sim.LoginCount())
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

// terraformBinary is TF_ACC_TERRAFORM_PATH or the terraform on PATH, when
// it is 1.11 or later; the test is skipped otherwise.
func terraformBinary(t *testing.T) string {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			t.Skip("skipped: no terraform binary (set TF_ACC_TERRAFORM_PATH or put terraform >= 1.11 on PATH)")
		}
		tf = p
	}
	out, err := exec.Command(tf, "version", "-json").Output() //nolint:gosec // G204: the operator's terraform
	if err != nil {
		t.Skipf("skipped: %s version: %v", tf, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	got, err := goversion.NewVersion("0")
	if json.Unmarshal(out, &v) == nil {
		got, err = goversion.NewVersion(v.Version)
	}
	if err != nil || got.LessThan(goversion.Must(goversion.NewVersion("1.11.0"))) {
		t.Skipf("skipped: %s is terraform %q; write-only attributes need 1.11 or later", tf, v.Version)
	}
	return tf
}
