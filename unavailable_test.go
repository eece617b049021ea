package hvc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// mustFault injects f into sim and fails the test if AddFault refuses it
// (a fault no route can match).
func mustFault(t testing.TB, sim *simulator.Server, f simulator.Fault) func() {
	t.Helper()
	remove, err := sim.AddFault(f)
	require.NoError(t, err)
	return remove
}
