package ops

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hvcsdk/hvc/internal/stderr"
)

func TestParseRelease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Release
	}{
		{"6.7", R67}, {"7.0", R70}, {"7.0u1", R70U1}, {"7.0U3", R70U3}, {"8.0", R80},
		{"8.0u1", R80U1}, {"8.0U3", R80U3}, {"9.0", R90}, {"9.1", R91},
	} {
		got, err := ParseRelease(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseRelease(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !strings.EqualFold(got.String(), tc.in) {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tc.in)
		}
	}
	for _, bad := range []string{"", "8", "8.0U4", "10.0", "8.0 U1"} {
		if _, err := ParseRelease(bad); err == nil {
			t.Errorf("ParseRelease(%q) succeeded", bad)
		}
	}
	if Release(0).String() != "unknown" || Release(99).String() != "unknown" {
		t.Error("out-of-range releases must print as unknown")
	}
}

func TestTableIsConsistent(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	routes := map[string]string{}
	vapiIDs := map[string]string{}
	for _, op := range All {
		if seen[op.Name] {
			t.Errorf("%s listed twice", op.Name)
		}
		seen[op.Name] = true
		if ByName(op.Name) != op {
			t.Errorf("ByName(%q) does not find it", op.Name)
		}
		if ByVAPIID(op.VAPIID()) != op {
			t.Errorf("ByVAPIID(%q) does not find %s", op.VAPIID(), op.Name)
		}
		// Idempotency is stated per row; the one rule the method imposes is
		// that a POST is never resent (vCenter has no idempotency keys).
		if op.Idempotent && op.Method == "POST" {
			t.Errorf("%s: a POST cannot be Idempotent", op.Name)
		}
		if op.VAPIService == "" || op.VAPIOperation == "" {
			t.Errorf("%s: no vAPI service or operation id", op.Name)
		}
		vapi := op.VAPIService + "/" + op.VAPIOperation
		if r, ok := vapiIDs[vapi]; ok {
			t.Errorf("%s and %s share the vAPI id %s", op.Name, r, vapi)
		}
		vapiIDs[vapi] = op.Name
		if len(op.Errors) == 0 {
			t.Errorf("%s declares no errors", op.Name)
		}
		for _, e := range op.Errors {
			if !slices.ContainsFunc(stderr.All, func(t stderr.Type) bool { return t.Name == e }) {
				t.Errorf("%s declares %q, which is not a std error type", op.Name, e)
			}
		}
		if op.Since == 0 || (op.Until != 0 && op.Until < op.Since) || op.Until > FamilyUntil {
			t.Errorf("%s: bad release range %v..%v", op.Name, op.Since, op.Until)
		}
		if r, ok := routes[op.Display()]; ok {
			t.Errorf("%s and %s share the route %s", op.Name, r, op.Display())
		}
		routes[op.Display()] = op.Name
	}
}

func TestIn(t *testing.T) {
	t.Parallel()
	for _, op := range All {
		if op.In(R91) {
			t.Errorf("%s is served by 9.1, which is reported to have no hvc operation", op.Name)
		}
	}
	for _, tc := range []struct {
		op   *Op
		r    Release
		want bool
	}{
		{SyncProvidersStart, R67, true}, {SyncProvidersStart, R80, true}, {SyncProvidersStart, R80U1, false},
		{LinksGet, R80, false}, {LinksGet, R80U1, true}, {LinksGet, R90, true},
		{LinksCreate, R67, true}, {LinksCreate, R90, true},
		// 9.1 is reported to have no hvc operation at all.
		{LinksCreate, R91, false}, {LinksGet, R91, false}, {AdministratorsGet, R91, false},
	} {
		if got := tc.op.In(tc.r); got != tc.want {
			t.Errorf("%s.In(%v) = %v, want %v", tc.op.Name, tc.r, got, tc.want)
		}
	}
	if got := SyncReset.Versions(); got != "vSphere 6.7–8.0" {
		t.Errorf("Versions = %q", got)
	}
	if got := LinksGet.Versions(); got != "vSphere 8.0U1–9.0" {
		t.Errorf("Versions = %q", got)
	}
}

func TestPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		op      *Op
		values  []string
		want    string
		badName string
	}{
		{op: LinksList, want: "/hvc/links"},
		{op: LinksGet, values: []string{"l-1"}, want: "/hvc/links/l-1"},
		{op: LinksGet, values: []string{"a/b?c#d e"}, want: "/hvc/links/a%2Fb%3Fc%23d%20e"},
		{op: SyncProvidersGet, values: []string{"l", "p/1"}, want: "/hvc/links/l/sync/providers/p%2F1"},
		{op: LinksGet, values: []string{""}, badName: "link"},
		{op: LinksGet, values: []string{"  "}, badName: "link"},
		{op: LinksGet, values: []string{".."}, badName: "link"},
		{op: SyncProvidersGet, values: []string{"l", "."}, badName: "provider"},
		{op: SyncProvidersGet, values: []string{"l"}, badName: "provider"},
		{op: LinksGet, values: []string{"l", "extra"}, badName: "path"},
		{op: LinksList, values: []string{"extra"}, badName: "path"},
	} {
		got, err := tc.op.Path(tc.values...)
		if tc.badName != "" {
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Name != tc.badName {
				t.Errorf("%s.Path(%q) = %q, %v; want a ParamError for %q", tc.op.Name, tc.values, got, err, tc.badName)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s.Path(%q) = %q, %v; want %q", tc.op.Name, tc.values, got, err, tc.want)
		}
	}
	if p := SyncProvidersStart.Params(); len(p) != 2 || p[0] != "link" || p[1] != "provider" {
		t.Errorf("Params = %q", p)
	}
	if d := LinksDeleteWithCredentials.Display(); d != "POST /hvc/links/{link}?action=delete" {
		t.Errorf("Display = %q", d)
	}
}
