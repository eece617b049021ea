package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hvcsdk/hvc"
)

// addError turns an SDK error into an error diagnostic: an operation the
// vCenter does not serve names the releases that have it; anything else
// carries the SDK's message (operation, status, vCenter's message; never a
// secret).
func addError(diags *diag.Diagnostics, summary string, err error) {
	var un *hvc.OperationUnavailableError
	if errors.As(err, &un) {
		diags.AddError(summary+": not available on this vCenter",
			fmt.Sprintf("This vCenter does not serve %s, which %s have. %v", un.Op, un.Versions, err))
		return
	}
	diags.AddError(summary, err.Error())
}
