// Package jsonrpcexample runs call.py, which calls cmd/hvcsim over vAPI
// JSON-RPC with Python's standard library, as VMware's SDKs would.
package jsonrpcexample

import (
	"testing"

	"github.com/hvcsdk/hvc/examples/internal/scripttest"
)

// TestCallWithPython builds hvcsim and runs call.py against it. It skips,
// saying why, when python3 is missing.
func TestCallWithPython(t *testing.T) {
	t.Parallel()
	scripttest.Run(t, "the JSON-RPC example", "call.py")
}
