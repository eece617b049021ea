package vapi_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hvcsdk/hvc/internal/vapi"
)

func TestDecodeKinds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		kind vapi.Kind
		ok   bool
	}{
		{`null`, vapi.Null, true},
		{`true`, vapi.Bool, true},
		{`42`, vapi.Number, true},
		{`"x"`, vapi.String, true},
		{`[1,"a"]`, vapi.List, true},
		{`{"SECRET":"p"}`, vapi.Secret, true},
		{`{"OPTIONAL":null}`, vapi.Optional, true},
		{`{"OPTIONAL":{"SECRET":"p"}}`, vapi.Optional, true},
		{`{"STRUCTURE":{"a.b":{"f":"v","g":{"OPTIONAL":1}}}}`, vapi.Structure, true},
		{`{"ERROR":{"com.vmware.vapi.std.errors.not_found":{"messages":[]}}}`, vapi.Error, true},
		{`{"SECRET":1}`, 0, false},
		{`{"STRUCTURE":{"a":{},"b":{}}}`, 0, false},
		{`{"STRUCTURE":{"a":1}}`, 0, false},
		{`{"x":1}`, 0, false},
		{`{}`, 0, false},
		{`1 2`, 0, false},
		{`[`, 0, false},
		{strings.Repeat("[", vapi.MaxDepth+1) + strings.Repeat("]", vapi.MaxDepth+1), 0, false},
		{`"` + strings.Repeat("[", 100) + `"`, vapi.String, true},
	}
	for _, tc := range cases {
		v, err := vapi.Decode([]byte(tc.in))
		if tc.ok != (err == nil) {
			t.Errorf("Decode(%.40s): err %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && v.Kind != tc.kind {
			t.Errorf("Decode(%.40s) kind %v, want %v", tc.in, v.Kind, tc.kind)
		}
	}
}

func TestRoundTripAndMask(t *testing.T) {
	t.Parallel()
	in := `{"STRUCTURE":{"operation-input":{"spec":{"STRUCTURE":{"com.vmware.vcenter.hvc.links.create_spec":{"password":{"SECRET":"hunter2"},"port":{"OPTIONAL":null},"admin_groups":{"OPTIONAL":["a@b"]}}}}}}}`
	v, err := vapi.Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := vapi.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	_ = json.Unmarshal([]byte(in), &a)
	_ = json.Unmarshal(out, &b)
	if ja, jb := mustJSON(a), mustJSON(b); ja != jb {
		t.Fatalf("round trip:\n%s\n%s", ja, jb)
	}
	masked, _ := vapi.Encode(v.Masked("*****"))
	if strings.Contains(string(masked), "hunter2") {
		t.Fatalf("secret in masked %s", masked)
	}
	plain := v.Plain().(map[string]any)["spec"].(map[string]any)
	if plain["password"] != "hunter2" || plain["port"] != nil {
		t.Fatalf("plain %v", plain)
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	big := `"` + strings.Repeat("a", vapi.MaxSize) + `"`
	if _, err := vapi.Decode([]byte(big)); !errors.Is(err, vapi.ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
