package hvc_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

func TestSmokeCreateBothFlavors(t *testing.T) {
	t.Parallel()
	for _, legacy := range []bool{false, true} {
		hc := &http.Client{}
		mt := httpmock.NewMockTransport()
		hc.Transport = mt
		if legacy {
			mt.RegisterResponder("POST", "https://vc.example/api/session", httpmock.NewStringResponder(404, "nope"))
			mt.RegisterResponder("POST", "https://vc.example/rest/com/vmware/cis/session", httpmock.NewStringResponder(200, `{"value":"tok"}`))
			mt.RegisterResponder("POST", "https://vc.example/rest/hvc/links", httpmock.NewStringResponder(200, `{"value":"link-1"}`))
		} else {
			mt.RegisterResponder("POST", "https://vc.example/api/session", httpmock.NewStringResponder(201, `"tok"`))
			mt.RegisterResponder("POST", "https://vc.example/api/hvc/links", httpmock.NewStringResponder(201, `"link-1"`))
		}
		c, err := hvc.New("https://vc.example", hvc.WithHTTPClient(hc), hvc.WithCredentials("u", "p"))
		require.NoError(t, err)
		id, err := c.Links.Create(context.Background(), hvc.LinkCreateSpec{PSCHostname: "h", DomainName: "d", Username: "u", Password: "pw"})
		require.NoError(t, err)
		require.Equal(t, "link-1", id)
		require.Equal(t, map[bool]hvc.Flavor{false: hvc.FlavorAPI, true: hvc.FlavorREST}[legacy], c.Flavor())
	}
}
