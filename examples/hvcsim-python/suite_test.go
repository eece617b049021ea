// Package hvcsimpython runs suite.py, a test suite written in Python with
// the standard library only, against cmd/hvcsim.
package hvcsimpython

import (
	"testing"

	"github.com/hvcsdk/hvc/examples/internal/scripttest"
)

// TestSuiteWithPython builds hvcsim and runs suite.py against it. It skips,
// saying why, when python3 is missing.
func TestSuiteWithPython(t *testing.T) {
	t.Parallel()
	scripttest.Run(t, "the Python hvcsim example", "suite.py")
}
