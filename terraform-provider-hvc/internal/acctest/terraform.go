// Package acctest finds the terraform binary the provider's acceptance
// tests (internal/provider) and walkthrough test run, and says why they
// cannot run when there is none to use.
package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"time"

	"github.com/hashicorp/go-version"
)

// MinVersion is the first terraform with write-only attributes, which
// hvc_link's password_wo needs.
const MinVersion = "1.11.0"

// EnvPath is the variable naming the terraform binary to run, as
// terraform-plugin-testing reads it.
const EnvPath = "TF_ACC_TERRAFORM_PATH"

// install is the advice every reason to skip ends with.
const install = "install terraform >= " + MinVersion + " (https://developer.hashicorp.com/terraform/install) on PATH, or set " + EnvPath + " to one"

// Find returns the terraform to run: the one EnvPath names, else the one
// on PATH, when it reports MinVersion or later. Otherwise it returns ""
// and why, naming what to install or set. getenv and lookPath are
// os.Getenv and exec.LookPath outside tests.
func Find(getenv func(string) string, lookPath func(string) (string, error)) (path, why string) {
	tf := getenv(EnvPath)
	from := EnvPath + "=" + tf
	if tf == "" {
		p, err := lookPath("terraform")
		if err != nil {
			return "", "no terraform on PATH and " + EnvPath + " is unset: " + install
		}
		tf, from = p, p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, tf, "version", "-json").Output() //nolint:gosec // G204: the operator's terraform
	if err != nil {
		return "", fmt.Sprintf("%s: cannot run %q version -json (%v): %s", from, tf, err, install)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", fmt.Sprintf("%s: %q version -json printed no terraform_version (%v): %s", from, tf, err, install)
	}
	got, err := version.NewVersion(v.Version)
	if err != nil {
		return "", fmt.Sprintf("%s: %q reports version %q (%v): %s", from, tf, v.Version, err, install)
	}
	if got.LessThan(version.Must(version.NewVersion(MinVersion))) {
		return "", fmt.Sprintf("%s is terraform %s, older than %s (write-only attributes): %s", from, got, MinVersion, install)
	}
	return tf, ""
}
