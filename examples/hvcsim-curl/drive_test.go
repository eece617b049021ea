// Package hvcsimcurl runs drive.py, a curl-driven end-to-end test of
// cmd/hvcsim as a suite written in another language would write it.
package hvcsimcurl

import (
	"testing"

	"github.com/hvcsdk/hvc/examples/internal/scripttest"
)

// TestDriveWithCurl builds hvcsim and runs drive.py against it. It skips,
// saying why, when python3 or curl is missing.
func TestDriveWithCurl(t *testing.T) {
	t.Parallel()
	scripttest.Run(t, "the curl-driven hvcsim example", "drive.py", "curl")
}
