package vapi_test

import (
	"testing"

	"github.com/hvcsdk/hvc/internal/vapi"
)

// FuzzDecode checks that Decode never panics, and that what it accepts
// encodes to JSON it decodes again to the same encoding.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`null`, `true`, `-1.5e3`, `"s"`, `[]`, `{"SECRET":"x"}`, `{"OPTIONAL":null}`,
		`{"OPTIONAL":{"OPTIONAL":[1,{"SECRET":"y"}]}}`,
		`{"STRUCTURE":{"operation-input":{"link":"link-1","credentials":{"OPTIONAL":null}}}}`,
		`{"ERROR":{"com.vmware.vapi.std.errors.unverified_peer":{"messages":[{"STRUCTURE":{"com.vmware.vapi.std.localizable_message":{"id":"i","default_message":"m","args":[]}}}],"data":{"OPTIONAL":{"STRUCTURE":{"com.vmware.vcenter.hvc.links.certificate_info":{"ssl_thumbprint":"AA"}}}},"error_type":{"OPTIONAL":"UNVERIFIED_PEER"}}}}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`{"STRUCTURE":{"a":{"b":"\"[{"}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := vapi.Decode(raw)
		if err != nil {
			return
		}
		enc, err := vapi.Encode(v)
		if err != nil {
			t.Fatalf("Encode of decoded %q: %v", raw, err)
		}
		v2, err := vapi.Decode(enc)
		if err != nil {
			t.Fatalf("Decode of encoded %q: %v", enc, err)
		}
		enc2, err := vapi.Encode(v2)
		if err != nil || string(enc2) != string(enc) {
			t.Fatalf("not stable: %q -> %q (%v)", enc, enc2, err)
		}
		_ = v.Plain()
		_ = v.Masked("*")
	})
}
