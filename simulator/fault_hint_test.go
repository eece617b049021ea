package simulator_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// TestFaultErrorTypeHintNamesTheField: the refusal of a non-standard
// error type tells how to answer it anyway in the caller's own terms: the
// Fault field (CustomErrorType) to AddFault, the JSON member
// (custom_error_type) on the control surface, which has no field of the
// Go name.
func TestFaultErrorTypeHintNamesTheField(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl())
	_, err := sim.AddFault(simulator.Fault{Path: "/hvc/links/{link}", Method: http.MethodDelete, ErrorType: "BUSY"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `ErrorType "BUSY" is not a standard error type`)
	assert.Contains(t, err.Error(), "set CustomErrorType")

	w := newWire(t, sim)
	resp := w.do(t, request{method: http.MethodPost, path: "/hvcsim/faults", body: map[string]any{
		"path": "/hvc/links/{link}", "method": "DELETE", "error_type": "BUSY",
	}, header: map[string]string{"Authorization": "Bearer " + sim.ControlToken(), "Content-Type": "application/json"}})
	require.Equal(t, http.StatusBadRequest, resp.status, "%s", resp)
	var e struct{ Error string }
	require.NoError(t, json.Unmarshal(resp.body, &e))
	assert.Contains(t, e.Error, `error_type "BUSY" is not a standard error type`)
	assert.Contains(t, e.Error, `set "custom_error_type": true`)
	assert.NotContains(t, e.Error, "CustomErrorType", "the control surface has no member of that name")
	assert.NotContains(t, e.Error, "ErrorType", "the control surface has no member of that name")
}
