package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
	"github.com/hvcsdk/hvc/terraform-provider-hvc/internal/acctest"
)

// The acceptance tests run the real terraform binary against the
// in-process simulator. They need terraform 1.11 or later (write-only
// attributes): TF_ACC_TERRAFORM_PATH, else the terraform on PATH. Without
// one they are skipped, saying why; nothing is ever downloaded: TestMain
// points TF_ACC_TERRAFORM_PATH at the binary found, disables checkpoint,
// and gives terraform a CLI configuration that allows no provider
// installation from anywhere (the provider under test is reattached).

// accSkip is why the acceptance tests are skipped ("" when they run).
var accSkip string

// accTempDir is TF_ACC_TEMP_DIR: the terraform working directories, whose
// state files the tests scan for secrets.
var accTempDir string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "hvc-tfacc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	accSkip = setUpAcceptance(tmp)
	return m.Run()
}

// setUpAcceptance finds terraform and sets the environment the acceptance
// tests run in; it returns why they cannot run, or "".
func setUpAcceptance(tmp string) string {
	tf, why := acctest.Find(os.Getenv, exec.LookPath)
	if tf == "" {
		return why
	}
	cli := filepath.Join(tmp, "terraformrc")
	// No provider may be installed from a registry or anywhere else.
	rc := "provider_installation {\n  filesystem_mirror {\n    path = \"" + filepath.Join(tmp, "no-mirror") +
		"\"\n  }\n}\ndisable_checkpoint = true\n"
	if err := os.WriteFile(cli, []byte(rc), 0o600); err != nil {
		return err.Error()
	}
	accTempDir = filepath.Join(tmp, "work")
	if err := os.MkdirAll(accTempDir, 0o700); err != nil {
		return err.Error()
	}
	for k, val := range map[string]string{
		"TF_ACC":                    "1",
		"TF_ACC_TERRAFORM_PATH":     tf,
		"TF_ACC_PROVIDER_NAMESPACE": "hvcsdk",
		"TF_ACC_TEMP_DIR":           accTempDir,
		"TF_CLI_CONFIG_FILE":        cli,
		"CHECKPOINT_DISABLE":        "1",
		"TF_IN_AUTOMATION":          "1",
	} {
		if err := os.Setenv(k, val); err != nil {
			return err.Error()
		}
	}
	return ""
}

// needAcc skips a test when terraform cannot run.
func needAcc(t *testing.T) {
	t.Helper()
	if accSkip != "" {
		t.Skip("acceptance tests skipped: " + accSkip)
	}
}

// factories serves the provider in-process over protocol 6.
func factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"hvc": providerserver.NewProtocol6WithError(New("test")()),
	}
}

// providerBlock configures the provider for sim by arguments only (the
// tests run in parallel, so none reads the environment).
func providerBlock(sim *simulator.Server, extra string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    hvc = { source = "hvcsdk/hvc" }
  }
}

provider "hvc" {
  url        = %q
  username   = %q
  password   = %q
  thumbprint = %q
%s
}
`, sim.URL(), simulator.DefaultAdminUser, simulator.DefaultAdminPassword, sim.Thumbprint(), extra)
}

// pscCredentials are the provider arguments for delete-with-credentials.
var pscCredentials = fmt.Sprintf("  psc_username = %q\n  psc_password = %q\n", simulator.DefaultForeignUser, simulator.DefaultForeignPassword)

// linkBlock is an hvc_link named "this" to the simulator's foreign PSC,
// whose password comes from an ephemeral variable (what the docs advise:
// a literal would be echoed in the plan's configuration section, and a
// plain variable's value is saved in the plan).
func linkBlock(extra string) string {
	return fmt.Sprintf(`
variable "psc_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "hvc_link" "this" {
  psc_hostname = %q
  domain_name  = %q
  username     = %q
  password_wo  = var.psc_password
%s
}
`, simulator.DefaultForeignPSC, simulator.DefaultForeignDomain, simulator.DefaultForeignUser, extra)
}

// linkVars sets the ephemeral variable linkBlock reads.
func linkVars() config.Variables {
	return config.Variables{"psc_password": config.StringVariable(simulator.DefaultForeignPassword)}
}

// thumbprintArg is the right ssl_thumbprint of the foreign PSC.
var thumbprintArg = fmt.Sprintf("  ssl_thumbprint = %q\n", simulator.DefaultForeignThumbprint)

// withSDK runs fn with a client of sim, for arranging and checking a
// test, and logs it out at once (so that it counts in no session check).
func withSDK(sim *simulator.Server, fn func(context.Context, *hvc.Client) error) error {
	c, err := hvc.New(sim.URL(), hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
		hvc.WithRootCAs(sim.CertPool()))
	if err != nil {
		return err
	}
	ctx := context.Background()
	err = fn(ctx, c)
	if cerr := c.Close(ctx); err == nil {
		err = cerr
	}
	return err
}

// createLink makes a link on sim outside terraform and returns its id.
func createLink(t *testing.T, sim *simulator.Server) string {
	t.Helper()
	var id string
	err := withSDK(sim, func(ctx context.Context, c *hvc.Client) (err error) {
		id, err = c.Links.Create(ctx, hvc.LinkCreateSpec{
			PSCHostname: simulator.DefaultForeignPSC, DomainName: simulator.DefaultForeignDomain,
			Username: simulator.DefaultForeignUser, Password: simulator.DefaultForeignPassword,
			SSLThumbprint: simulator.DefaultForeignThumbprint})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// checkSessions fails when the test left a session open on sim: the
// provider logs out when no operation uses its session, and the tests'
// own clients log out at once.
func checkSessions(t *testing.T, sim *simulator.Server) {
	t.Helper()
	if n := sim.SessionCount(); n != 0 {
		t.Errorf("%d sessions left open on the simulator after the test (logins: %d), want 0", n, sim.LoginCount())
	}
	t.Logf("sessions left: %d, logins: %d", sim.SessionCount(), sim.LoginCount())
}

// noSecretInStateFiles fails when any state file terraform wrote under
// TF_ACC_TEMP_DIR holds secret (in its text or its private data), and when no state file holds mustHold
// (so the scan looked at the right files).
func noSecretInStateFiles(secret, mustHold string) func() error {
	return func() error {
		seen := false
		err := filepath.WalkDir(accTempDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.Contains(d.Name(), ".tfstate") {
				return err
			}
			b, err := os.ReadFile(p) //nolint:gosec // G304: our own temp dir
			if err != nil {
				return err
			}
			for _, text := range stateTexts(b) {
				if strings.Contains(text, secret) {
					return fmt.Errorf("state file %s holds the password", p)
				}
			}
			seen = seen || strings.Contains(string(b), mustHold)
			return nil
		})
		if err == nil && !seen {
			err = fmt.Errorf("no state file under %s holds %q: the scan missed the state", accTempDir, mustHold)
		}
		return err
	}
}

// stateTexts is a state file's text and, decoded, each instance's private
// data: base64 in the file, of a JSON object of base64 values as the
// framework writes it, so a secret there is not in the file's text.
func stateTexts(b []byte) []string {
	texts := []string{string(b)}
	var st struct {
		Resources []struct {
			Instances []struct {
				Private []byte
			}
		}
	}
	if json.Unmarshal(b, &st) != nil {
		return texts
	}
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			texts = append(texts, string(in.Private))
			var keys map[string][]byte
			if json.Unmarshal(in.Private, &keys) == nil {
				for _, v := range keys {
					texts = append(texts, string(v))
				}
			}
		}
	}
	return texts
}

// noSecretInPlan is a plan check that the JSON plan nowhere holds secret.
type noSecretInPlan struct{ secret string }

func (c noSecretInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	b, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	if !strings.Contains(string(b), "hvc_link") {
		resp.Error = fmt.Errorf("the plan does not mention hvc_link: the check looked at the wrong plan")
		return
	}
	if strings.Contains(string(b), c.secret) {
		resp.Error = fmt.Errorf("the plan holds the password")
	}
}
