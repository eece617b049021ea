// Package ops is the one table of hvc operations. Each public operation of
// the SDK is described here once: its name, HTTP method, flavor-less path
// template, ?action= query, body parameter, vAPI service and operation ids,
// whether it is idempotent, whether its body can carry secrets, its declared
// errors, and the vSphere releases that serve it. The
// SDK builds requests from it, the simulator routes and applies version
// profiles from it, tests iterate it, and the README's operations table is
// checked against it.
//
// The facts and their public sources are written up in docs/wire.md.
package ops

import (
	"errors"
	"net/url"
	"strings"
)

// Release is a vSphere (vCenter) release, ordered oldest first.
type Release int

// The releases the hvc API family knows. Release values are ordered, so
// r >= R80U1 means "8.0 Update 1 or later".
const (
	R67 Release = iota + 1
	R70
	R70U1
	R70U2
	R70U3
	R80
	R80U1
	R80U2
	R80U3
	R90
	R91
)

// Latest is the newest release known to the table.
const Latest = R91

// FamilyUntil is the last release that serves any hvc operation: a
// third-party listing of Broadcom's published vSphere 9.1 API
// specification reports the whole /hvc family removed in 9.1. Reported,
// not confirmed (docs/wire.md). An operation's Until is never later.
const FamilyUntil = R90

// releaseNames spells each release the way VMware does.
var releaseNames = [...]string{
	R67: "6.7", R70: "7.0", R70U1: "7.0U1", R70U2: "7.0U2", R70U3: "7.0U3",
	R80: "8.0", R80U1: "8.0U1", R80U2: "8.0U2", R80U3: "8.0U3", R90: "9.0",
	R91: "9.1",
}

// String returns e.g. "8.0U1".
func (r Release) String() string {
	if r < R67 || r > Latest {
		return "unknown"
	}
	return releaseNames[r]
}

// Releases returns every known release, oldest first.
func Releases() []Release {
	out := make([]Release, 0, int(Latest))
	for r := R67; r <= Latest; r++ {
		out = append(out, r)
	}
	return out
}

// ParseRelease reads a release name such as "7.0U3", "8.0u1" or "9.0"
// (the "U" is case-insensitive).
func ParseRelease(s string) (Release, error) {
	for r := R67; r <= Latest; r++ {
		if strings.EqualFold(s, releaseNames[r]) {
			return r, nil
		}
	}
	names := make([]string, 0, int(Latest))
	for r := R67; r <= Latest; r++ {
		names = append(names, releaseNames[r])
	}
	return 0, errors.New("unknown vSphere release " + quote(s) + "; known: " + strings.Join(names, ", "))
}

// APISince is the first release that serves the /api flavor; every release
// in the table serves the legacy /rest flavor.
const APISince = R70U2

// SSLCertificateSince is the first release whose CreateSpec and
// CertificateInfo carry ssl_certificate (PEM).
const SSLCertificateSince = R90

// Op describes one hvc operation once, for both flavors.
type Op struct {
	// Name is the SDK's name, "Service.Method", e.g. "Links.Create".
	Name string
	// Method is the HTTP method.
	Method string
	// Template is the flavor-less path template, e.g.
	// "/hvc/links/{link}/sync/providers/{provider}". Placeholders are
	// filled in order by Path.
	Template string
	// Action is the ?action= value, or "".
	Action string
	// WrapAs names the body parameter that the legacy /rest flavor wraps
	// the body in ({"spec":…}); "" when the body is sent as is in both
	// flavors.
	WrapAs string
	// VAPIService and VAPIOperation are the vAPI service and operation ids
	// (e.g. "com.vmware.vcenter.hvc.links", "create") that name the
	// operation over vAPI JSON-RPC and in VMware's SDK bindings.
	VAPIService, VAPIOperation string
	// Idempotent operations may be retried after a failure that may have
	// reached the server: sending them twice has the effect of once. It is
	// stated per operation, never derived from the method.
	Idempotent bool
	// Secrets is true when the body can carry a password.
	Secrets bool
	// Errors are the std error types (error_type values such as
	// "NOT_FOUND") the operation declares, in the order VMware's reference
	// lists them, besides the runtime-level ones any operation may return.
	Errors []string
	// Since is the first release that serves the operation; Until the last
	// one (0: served until FamilyUntil, the last release with hvc
	// operations at all).
	Since, Until Release
}

// The operations, one variable each, so the SDK names them without lookups.
// Each row is every fact about one operation; adding an operation means
// adding a row here (and to All).
var (
	LinksCreate = &Op{
		Name:   "Links.Create",
		Method: "POST", Template: "/hvc/links",
		WrapAs:      "spec",
		VAPIService: "com.vmware.vcenter.hvc.links", VAPIOperation: "create",
		Idempotent: false, Secrets: true,
		Errors: []string{"ALREADY_EXISTS", "INVALID_ARGUMENT", "UNSUPPORTED", "UNAUTHORIZED", "UNVERIFIED_PEER", "ERROR"},
		Since:  R67,
	}
	LinksList = &Op{
		Name:   "Links.List",
		Method: "GET", Template: "/hvc/links",
		VAPIService: "com.vmware.vcenter.hvc.links", VAPIOperation: "list",
		Idempotent: true, Secrets: false,
		Errors: []string{"ERROR"},
		Since:  R67,
	}
	LinksGet = &Op{
		Name:   "Links.Get",
		Method: "GET", Template: "/hvc/links/{link}",
		VAPIService: "com.vmware.vcenter.hvc.links", VAPIOperation: "get",
		Idempotent: true, Secrets: false,
		Errors: []string{"ERROR", "NOT_FOUND", "UNAUTHORIZED", "RESOURCE_BUSY"},
		Since:  R80U1,
	}
	LinksDelete = &Op{
		Name:   "Links.Delete",
		Method: "DELETE", Template: "/hvc/links/{link}",
		VAPIService: "com.vmware.vcenter.hvc.links", VAPIOperation: "delete",
		Idempotent: true, Secrets: false,
		Errors: []string{"NOT_FOUND", "UNAUTHORIZED", "ERROR"},
		Since:  R67,
	}
	LinksDeleteWithCredentials = &Op{
		Name:   "Links.DeleteWithCredentials",
		Method: "POST", Template: "/hvc/links/{link}", Action: "delete",
		VAPIService: "com.vmware.vcenter.hvc.links", VAPIOperation: "delete_with_credentials",
		Idempotent: false, Secrets: true,
		Errors: []string{"NOT_FOUND", "UNAUTHORIZED", "ERROR"},
		Since:  R80U1,
	}
	SyncReset = &Op{
		Name:   "Sync.Reset",
		Method: "POST", Template: "/hvc/links/{link}/sync", Action: "reset",
		VAPIService: "com.vmware.vcenter.hvc.links.sync", VAPIOperation: "reset",
		Idempotent: false, Secrets: false,
		Errors: []string{"ERROR", "NOT_FOUND", "UNAUTHORIZED"},
		Since:  R67, Until: R80,
	}
	SyncProvidersList = &Op{
		Name:   "SyncProviders.List",
		Method: "GET", Template: "/hvc/links/{link}/sync/providers",
		VAPIService: "com.vmware.vcenter.hvc.links.sync.providers", VAPIOperation: "list",
		Idempotent: true, Secrets: false,
		Errors: []string{"ERROR", "UNAUTHORIZED"},
		Since:  R67, Until: R80,
	}
	SyncProvidersGet = &Op{
		Name:   "SyncProviders.Get",
		Method: "GET", Template: "/hvc/links/{link}/sync/providers/{provider}",
		VAPIService: "com.vmware.vcenter.hvc.links.sync.providers", VAPIOperation: "get",
		Idempotent: true, Secrets: false,
		Errors: []string{"ERROR", "NOT_FOUND", "UNAUTHORIZED"},
		Since:  R67, Until: R80,
	}
	SyncProvidersStart = &Op{
		Name:   "SyncProviders.Start",
		Method: "POST", Template: "/hvc/links/{link}/sync/providers/{provider}", Action: "start",
		VAPIService: "com.vmware.vcenter.hvc.links.sync.providers", VAPIOperation: "start",
		Idempotent: false, Secrets: true,
		Errors: []string{"ERROR", "NOT_FOUND", "UNAUTHORIZED", "RESOURCE_BUSY"},
		Since:  R67, Until: R80,
	}
	AdministratorsGet = &Op{
		Name:   "Administrators.Get",
		Method: "GET", Template: "/hvc/management/administrators",
		VAPIService: "com.vmware.vcenter.hvc.management.administrators", VAPIOperation: "get",
		Idempotent: true, Secrets: false,
		Errors: []string{"ERROR"},
		Since:  R67,
	}
	AdministratorsSet = &Op{
		Name:   "Administrators.Set",
		Method: "PUT", Template: "/hvc/management/administrators",
		VAPIService: "com.vmware.vcenter.hvc.management.administrators", VAPIOperation: "set",
		Idempotent: true, Secrets: false,
		Errors: []string{"UNAUTHORIZED", "ERROR"},
		Since:  R67,
	}
	AdministratorsAdd = &Op{
		Name:   "Administrators.Add",
		Method: "POST", Template: "/hvc/management/administrators", Action: "add",
		VAPIService: "com.vmware.vcenter.hvc.management.administrators", VAPIOperation: "add",
		Idempotent: false, Secrets: false,
		Errors: []string{"UNAUTHORIZED", "ERROR"},
		Since:  R67,
	}
	AdministratorsRemove = &Op{
		Name:   "Administrators.Remove",
		Method: "POST", Template: "/hvc/management/administrators", Action: "remove",
		VAPIService: "com.vmware.vcenter.hvc.management.administrators", VAPIOperation: "remove",
		Idempotent: false, Secrets: false,
		Errors: []string{"UNAUTHORIZED", "ERROR"},
		Since:  R67,
	}
)

// All lists every operation in documentation order.
var All = []*Op{
	LinksCreate, LinksList, LinksGet, LinksDelete, LinksDeleteWithCredentials,
	SyncReset, SyncProvidersList, SyncProvidersGet, SyncProvidersStart,
	AdministratorsGet, AdministratorsSet, AdministratorsAdd, AdministratorsRemove,
}

// ByName returns the operation named name ("Links.Create"), or nil.
func ByName(name string) *Op {
	for _, op := range All {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// ByVAPIID returns the operation whose vAPI id (VAPIID) is id, or nil.
func ByVAPIID(id string) *Op {
	for _, op := range All {
		if op.VAPIID() == id {
			return op
		}
	}
	return nil
}

// VAPIID is the operation's vAPI id, service and operation joined by a
// dot: "com.vmware.vcenter.hvc.links.create".
func (o *Op) VAPIID() string { return o.VAPIService + "." + o.VAPIOperation }

// In reports whether release r serves the operation.
func (o *Op) In(r Release) bool {
	return r >= o.Since && r <= o.Last()
}

// Last is the last release that serves the operation: Until, or
// FamilyUntil when Until is 0.
func (o *Op) Last() Release {
	if o.Until == 0 {
		return FamilyUntil
	}
	return o.Until
}

// Versions describes the releases that serve the operation, e.g.
// "vSphere 6.7–8.0" or "vSphere 8.0U1–9.0".
func (o *Op) Versions() string {
	return "vSphere " + o.Since.String() + "–" + o.Last().String()
}

// Params returns the template's placeholder names in order, e.g.
// ["link", "provider"].
func (o *Op) Params() []string {
	var out []string
	for _, seg := range strings.Split(o.Template, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, seg[1:len(seg)-1])
		}
	}
	return out
}

// Display returns the template with its action, e.g.
// "POST /hvc/links/{link}?action=delete", for docs and tables.
func (o *Op) Display() string {
	s := o.Method + " " + o.Template
	if o.Action != "" {
		s += "?action=" + o.Action
	}
	return s
}

// ParamError reports a path parameter that cannot be sent.
type ParamError struct {
	// Name is the placeholder, e.g. "link".
	Name string
	// Problem says what is wrong, e.g. "must not be empty".
	Problem string
}

func (e *ParamError) Error() string { return e.Name + " " + e.Problem }

// Path fills the template's placeholders, in order, with the escaped values.
// It returns the filled flavor-less path, and a *ParamError for a value that
// is blank or a dot segment ("." and ".." would change the path's meaning).
// The number of values must match the placeholders.
func (o *Op) Path(values ...string) (string, error) {
	if len(values) == 0 && !strings.Contains(o.Template, "{") {
		return o.Template, nil
	}
	var b strings.Builder
	b.Grow(len(o.Template) + 32)
	if err := o.WritePath(&b, values...); err != nil {
		return "", err
	}
	return b.String(), nil
}

// WritePath writes what Path returns to b, so that a caller can build a
// whole URL in one allocation. On error b holds part of the path.
func (o *Op) WritePath(b *strings.Builder, values ...string) error {
	i := 0
	rest := o.Template
	for rest != "" {
		// Every template starts with "/"; each round writes one segment.
		seg := rest[1:]
		if j := strings.IndexByte(seg, '/'); j >= 0 {
			seg, rest = seg[:j], seg[j:]
		} else {
			rest = ""
		}
		b.WriteByte('/')
		if !strings.HasPrefix(seg, "{") {
			b.WriteString(seg)
			continue
		}
		name := seg[1 : len(seg)-1]
		if i >= len(values) {
			return &ParamError{Name: name, Problem: "is missing"}
		}
		v := values[i]
		i++
		switch {
		case strings.TrimSpace(v) == "":
			return &ParamError{Name: name, Problem: "must not be empty"}
		case v == "." || v == "..":
			return &ParamError{Name: name, Problem: "must not be a dot segment"}
		}
		b.WriteString(url.PathEscape(v))
	}
	if i != len(values) {
		return &ParamError{Name: "path", Problem: "has more values than placeholders"}
	}
	return nil
}

// Query returns the raw query ("action=start") or "".
func (o *Op) Query() string {
	if o.Action == "" {
		return ""
	}
	return "action=" + o.Action
}

func quote(s string) string {
	if len(s) > 32 {
		s = s[:32] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
