package hvc_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// TestFormatPlusV: %+v of an SDK error prints what %v leaves out: every
// message id, params, the data object, status, method and path, with the
// secrets still masked; %v and %s stay Error().
func TestFormatPlusV(t *testing.T) {
	t.Parallel()
	const body = `{"error_type":"INVALID_ARGUMENT","messages":[` +
		`{"id":"com.vmware.vcenter.hvc.first","default_message":"first text","args":["a1"],"params":{"host":{"s":"psc.example"},"n":{"i":7},` +
		`"cause":{"l":{"id":"com.vmware.vcenter.hvc.cause","params":{"why":{"s":"inner why"}}}}}},` +
		`{"id":"com.vmware.vcenter.hvc.second","default_message":"second text","args":[]}],` +
		`"data":{"spec":{"password":"Sekret-Value-9","port":"443"}}}`
	f := newFVC(t, fvcConfig{})
	f.cfg.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost {
			fvcAnswer(w, 400, nil, body)
			return true
		}
		return false
	}
	c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI))
	_, err := c.Links.Create(context.Background(), maskSpec("Sekret-Value-9", ""))
	require.ErrorIs(t, err, hvc.ErrInvalidArgument)

	assert.Equal(t, err.Error(), fmt.Sprintf("%v", err))
	assert.Equal(t, err.Error(), fmt.Sprintf("%s", err))
	plus := fmt.Sprintf("%+v", err)
	assert.NotEqual(t, err.Error(), plus)
	for _, want := range []string{"POST", "/hvc/links", "400", "INVALID_ARGUMENT",
		"com.vmware.vcenter.hvc.first", "com.vmware.vcenter.hvc.second", "com.vmware.vcenter.hvc.cause",
		"first text", "second text", "a1", "host", "psc.example", "inner why", "7", `"port":"443"`, "[REDACTED]"} {
		assert.Contains(t, plus, want)
	}
	assert.NotContains(t, plus, "Sekret-Value-9")
	t.Logf("%%+v:\n%s", plus)

	var std *hvc.StdError
	require.ErrorAs(t, err, &std)
	assert.Equal(t, plus, fmt.Sprintf("%+v", std))
}

// TestFormatPlusVOtherErrors: %+v of DecodeError, TransportError and
// SyncFailedError adds what their Error() leaves out.
func TestFormatPlusVOtherErrors(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{provider: []string{`{"status":"FAILED","current_session_info":{"stage":"FAILED",` +
		`"exception":{"id":"com.vmware.sync.failed","default_message":"sync broke","args":[],"params":{"node":{"s":"node-7"}}}}}`}})
	f.cfg.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && r.URL.Path == "/api/hvc/links" {
			fvcAnswer(w, 200, nil, `{"not":"a list"}`)
			return true
		}
		if r.Method == http.MethodDelete {
			fvcDrop(w)
			return true
		}
		return false
	}
	c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI))
	ctx := context.Background()

	_, err := c.Links.List(ctx)
	var de *hvc.DecodeError
	require.ErrorAs(t, err, &de)
	plus := fmt.Sprintf("%+v", err)
	assert.NotEqual(t, err.Error(), plus)
	assert.Contains(t, plus, "*json.UnmarshalTypeError")

	err = c.Links.Delete(ctx, "link-1")
	var te *hvc.TransportError
	require.ErrorAs(t, err, &te)
	plus = fmt.Sprintf("%+v", err)
	assert.NotEqual(t, err.Error(), plus)
	assert.Contains(t, plus, "outcome unknown: false")

	_, err = c.SyncProviders.Wait(ctx, "link-1", "identity", hvc.WaitOptions{PollInterval: 1})
	var sf *hvc.SyncFailedError
	require.ErrorAs(t, err, &sf)
	plus = fmt.Sprintf("%+v", err)
	assert.NotEqual(t, err.Error(), plus)
	for _, want := range []string{"com.vmware.sync.failed", "node-7", "FAILED"} {
		assert.Contains(t, plus, want)
	}
	assert.False(t, strings.Contains(plus, fvcPass))
}

// TestFormatPlusVCertificate: %+v of a pin mismatch (inside the
// *TransportError of a login) shows both thumbprints on lines of their own
// and the cause's chain of types.
func TestFormatPlusVCertificate(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	c := fvcNew(t, f.URL, hvc.WithCredentials(fvcUser, fvcPass), hvc.WithThumbprint(foreignTP))
	err := c.Login(context.Background())
	var cm *hvc.CertificateMismatchError
	require.ErrorAs(t, err, &cm)
	plus := fmt.Sprintf("%+v", err)
	assert.Contains(t, plus, "*hvc.CertificateMismatchError")
	plus = fmt.Sprintf("%+v", cm)
	assert.Contains(t, plus, "\n    expected: "+cm.Expected)
	assert.Contains(t, plus, "\n    actual: "+cm.Actual)
	assert.Zero(t, f.Total(), "nothing sent to a server that fails the pin")
}
