package simulator_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: a
// server not closed, a handler still waiting, an idle client connection.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
