package hvc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// maskSpec is a create spec whose foreign password is pw.
func maskSpec(pw, thumbprint string) hvc.LinkCreateSpec {
	return hvc.LinkCreateSpec{PSCHostname: "psc.unknown.example", DomainName: "remote.local",
		Username: "administrator@remote.local", Password: pw, SSLThumbprint: thumbprint}
}

// everything returns what a user can print or marshal of err.
func everything(t *testing.T, err error) string {
	t.Helper()
	var std *hvc.StdError
	require.ErrorAs(t, err, &std)
	msgs, merr := json.Marshal(std.Messages)
	require.NoError(t, merr)
	return strings.Join([]string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err),
		fmt.Sprintf("%+v", std.Messages), string(msgs), string(std.Data)}, "\n")
}

// TestMaskOnlyTokens: a short password masks its echoes, and nothing else:
// not the letters of a host name, not a member name of the error data.
func TestMaskOnlyTokens(t *testing.T) {
	t.Parallel()
	t.Run("password p keeps the PSC host name", func(t *testing.T) {
		t.Parallel()
		f := newFVC(t, fvcConfig{})
		f.cfg.hook = func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPost {
				return false
			}
			fvcAnswer(w, 400, nil, `{"error_type":"UNSUPPORTED","messages":[{"id":"com.vmware.vcenter.hvc.psc",`+
				`"default_message":"Could not connect to the PSC psc.unknown.example","args":["psc.unknown.example","p"],`+
				`"params":{"host":{"s":"psc.unknown.example"},"pw":{"s":"p"}}}],"data":{"host":"psc.unknown.example","pw":"p"}}`)
			return true
		}
		c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI))
		_, err := c.Links.Create(context.Background(), maskSpec("p", ""))
		require.ErrorIs(t, err, hvc.ErrUnsupported)
		all := everything(t, err)
		assert.Contains(t, err.Error(), "Could not connect to the PSC psc.unknown.example")
		assert.NotContains(t, all, "sc.unknown.exam[REDACTED]")
		var std *hvc.StdError
		require.ErrorAs(t, err, &std)
		assert.Equal(t, []string{"psc.unknown.example", "[REDACTED]"}, std.Messages[0].Args, "the echo is masked, the host is not")
		assert.Equal(t, "[REDACTED]", *std.Messages[0].Params["pw"].S)
		assert.JSONEq(t, `{"host":"psc.unknown.example","pw":"[REDACTED]"}`, string(std.Data))
	})
	t.Run("password ssl keeps ssl_thumbprint for CreateTrusting", func(t *testing.T) {
		t.Parallel()
		var creates atomic.Int64
		f := newFVC(t, fvcConfig{})
		f.cfg.hook = func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPost || r.URL.Path != "/api/hvc/links" {
				return false
			}
			creates.Add(1)
			b, _ := io.ReadAll(r.Body)
			if !strings.Contains(string(b), `"ssl_thumbprint"`) {
				fvcAnswer(w, 400, nil, `{"error_type":"UNVERIFIED_PEER","messages":[{"id":"x","default_message":"untrusted","args":[]}],`+
					`"data":{"ssl_thumbprint":"`+foreignTP+`"}}`)
				return true
			}
			fvcAnswer(w, 201, nil, `"link-ssl"`)
			return true
		}
		c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI))
		var called bool
		id, err := c.Links.CreateTrusting(context.Background(), maskSpec("ssl", ""), func(ci hvc.CertificateInfo) (bool, error) {
			called = true
			return hvc.SameThumbprint(ci.SSLThumbprint, foreignTP), nil
		})
		require.NoError(t, err)
		assert.True(t, called, "trust callback")
		assert.Equal(t, "link-ssl", id)
		assert.EqualValues(t, 2, creates.Load())
	})
}

const foreignTP = "88:3A:7D:41:5E:16:41:88:27:C5:4B:6E:1C:15:0B:90:C3:A1:C9:22:48:98:59:47:59:73:76:8E:44:5A:31:72"

// TestMaskEveryField: a password echoed as a nested message id, as a
// params key (both envelopes), as a format, and as an unparsable date-time
// of a success body, is masked wherever a user can print or marshal it.
func TestMaskEveryField(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"Zq9-long-Secret!", "pw7"} {
		for _, legacy := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s legacy=%v", pw, legacy), func(t *testing.T) {
				t.Parallel()
				q, _ := json.Marshal(pw)
				params := `{"` + pw + `":{"s":"x"},"f":{"dt":"2024-01-01T00:00:00Z","format":` + string(q) + `},` +
					`"n":{"l":{"id":` + string(q) + `,"params":{"` + pw + `":{"s":"y"}}}}}`
				if legacy {
					params = `[{"key":` + string(q) + `,"value":{"s":"x"}},{"key":"f","value":{"dt":"2024-01-01T00:00:00Z","format":` + string(q) + `}},` +
						`{"key":"n","value":{"l":{"id":` + string(q) + `,"params":[{"key":` + string(q) + `,"value":{"s":"y"}}]}}}]`
				}
				body := `{"error_type":"INVALID_ARGUMENT","messages":[{"id":` + string(q) + `,"default_message":"","args":[],"params":` + params + `}],` +
					`"data":{` + string(q) + `:1,"v":` + string(q) + `}}`
				if legacy {
					body = `{"type":"com.vmware.vapi.std.errors.invalid_argument","value":` + body + `}`
				}
				f := newFVC(t, fvcConfig{})
				f.cfg.hook = func(w http.ResponseWriter, r *http.Request) bool {
					if r.Method == http.MethodPost {
						fvcAnswer(w, 400, nil, body)
						return true
					}
					return false
				}
				flavor := hvc.FlavorAPI
				if legacy {
					flavor = hvc.FlavorREST
				}
				c := f.client(t, hvc.WithFlavor(flavor))
				_, err := c.Links.Create(context.Background(), maskSpec(pw, ""))
				require.ErrorIs(t, err, hvc.ErrInvalidArgument)
				all := everything(t, err)
				assert.NotContains(t, all, pw)
				var std *hvc.StdError
				require.ErrorAs(t, err, &std)
				require.Len(t, std.Messages, 1)
				assert.Len(t, std.Messages[0].Params, 3, "params keys are masked, not dropped")
			})
		}
	}
	t.Run("unparsable date-time", func(t *testing.T) {
		t.Parallel()
		f := newFVC(t, fvcConfig{provider: []string{`{"status":"OK","last_sync_time":"` + fvcPass + `"}`}})
		c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI))
		_, err := c.SyncProviders.Get(context.Background(), "link-1", "identity")
		var de *hvc.DecodeError
		require.ErrorAs(t, err, &de)
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), de.Err.Error(), de.Snippet} {
			assert.NotContains(t, s, fvcPass)
		}
	})
}
