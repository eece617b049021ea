package bench

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"time"

	"github.com/vmware/vsphere-automation-sdk-go/runtime/bindings"
	"github.com/vmware/vsphere-automation-sdk-go/runtime/core"
	"github.com/vmware/vsphere-automation-sdk-go/runtime/data"
	vapilog "github.com/vmware/vsphere-automation-sdk-go/runtime/log"
	"github.com/vmware/vsphere-automation-sdk-go/runtime/protocol"
	vapiclient "github.com/vmware/vsphere-automation-sdk-go/runtime/protocol/client"
	"github.com/vmware/vsphere-automation-sdk-go/runtime/security"
)

// VMware publishes no Go bindings for hvc, so these are written by hand in
// the shape its generator emits for other services (see the NSX and VMC
// bindings of vsphere-automation-sdk-go): per call, the operation's input
// type, output type and REST metadata are rebuilt, the input is turned into
// a data.StructValue by reflection, and the output converted back.

// The runtime's default logger prints every call (and more) through the
// standard log package; a user silences it, and so do we. Its callers
// still box their arguments, which counts.
func init() { vapilog.SetLogger(quietVAPILog{}) }

type quietVAPILog struct{}

func (quietVAPILog) Error(...any)          {}
func (quietVAPILog) Errorf(string, ...any) {}
func (quietVAPILog) Info(...any)           {}
func (quietVAPILog) Infof(string, ...any)  {}
func (quietVAPILog) Debug(...any)          {}
func (quietVAPILog) Debugf(string, ...any) {}

// vapiClient is the official vAPI runtime over its REST protocol.
type vapiClient struct{ conn vapiclient.Connector }

func newVAPIClient(base, token string, hc *http.Client) *vapiClient {
	return &vapiClient{conn: vapiclient.NewConnector(base, vapiclient.UsingRest(nil), vapiclient.WithHttpClient(hc),
		vapiclient.WithSecurityContext(security.NewSessionSecurityContext(token)))}
}

// vapiOp is one operation's generated type and metadata functions.
type vapiOp struct {
	service, name string
	input         func() bindings.StructType
	output        func() bindings.BindingType
	meta          func() protocol.OperationRestMetadata
}

type vapiArg struct {
	name  string
	value any
}

// invoke is the body every generated client method has.
func (c *vapiClient) invoke(ctx context.Context, o *vapiOp, args ...vapiArg) (any, error) {
	tc := c.conn.TypeConverter()
	ec := c.conn.NewExecutionContext()
	ec.WithContext(ctx)
	ec.SetConnectionMetadata(core.RESTMetadataKey, o.meta())
	ec.SetConnectionMetadata(core.ResponseTypeKey, core.NewResponseType(true, false))
	sv := bindings.NewStructValueBuilder(o.input(), tc)
	for _, a := range args {
		sv.AddStructField(a.name, a.value)
	}
	in, verrs := sv.GetStructValue()
	if verrs != nil {
		return nil, bindings.VAPIerrorsToError(verrs)
	}
	res := c.conn.GetApiProvider().Invoke(o.service, o.name, in, ec)
	if !res.IsSuccess() {
		return nil, errors.New("vapi " + o.service + "." + o.name + ": " + res.Error().Name())
	}
	ot := o.output()
	if _, void := ot.(bindings.VoidType); void {
		return nil, nil
	}
	out, verrs := tc.ConvertToGolang(res.Output(), ot)
	if verrs != nil {
		return nil, bindings.VAPIerrorsToError(verrs)
	}
	return out, nil
}

// Binding structs, as generated (optional fields are pointers).

type vapiLinkCreateSpec struct {
	PscHostname   string
	Port          *string
	DomainName    string
	Username      string
	Password      string
	SslThumbprint *string
	AdminGroups   map[string]bool
}

type vapiLinkSummary struct {
	Link        string
	DisplayName string
}

type vapiProviderInfo struct {
	LastSyncTime             *time.Time
	Status                   string
	PollingIntervalInSeconds int64
	CurrentSessionInfo       *vapiSessionInfo
}

type vapiSessionInfo struct {
	Stage          string
	CompletedWork  int64
	TotalWork      int64
	StartTime      time.Time
	CompletionTime *time.Time
}

func vapiCreateSpec() vapiLinkCreateSpec {
	tp := spec.SSLThumbprint
	groups := make(map[string]bool, len(spec.AdminGroups))
	for _, g := range spec.AdminGroups {
		groups[g] = true
	}
	return vapiLinkCreateSpec{PscHostname: spec.PSCHostname, DomainName: spec.DomainName,
		Username: spec.Username, Password: spec.Password, SslThumbprint: &tp, AdminGroups: groups}
}

// structType builds a binding struct type from (wire name, Go field, type)
// triples, as generated code does field by field.
func structType(name string, goType any, fs ...any) bindings.StructType {
	fields := map[string]bindings.BindingType{}
	names := map[string]string{}
	for i := 0; i < len(fs); i += 3 {
		fields[fs[i].(string)] = fs[i+2].(bindings.BindingType)
		names[fs[i].(string)] = fs[i+1].(string)
	}
	return bindings.NewStructType(name, fields, reflect.TypeOf(goType), names, []bindings.Validator{})
}

func linkCreateSpecType() bindings.BindingType {
	str, opt := bindings.NewStringType(), bindings.NewOptionalType(bindings.NewStringType())
	return structType("com.vmware.vcenter.hvc.links.create_spec", vapiLinkCreateSpec{},
		"psc_hostname", "PscHostname", str, "port", "Port", opt, "domain_name", "DomainName", str,
		"username", "Username", str, "password", "Password", bindings.NewSecretType(),
		"ssl_thumbprint", "SslThumbprint", opt,
		"admin_groups", "AdminGroups", bindings.NewOptionalType(bindings.NewSetType(bindings.NewStringType(), reflect.TypeOf(map[string]bool{}))))
}

func linkSummaryType() bindings.BindingType {
	return structType("com.vmware.vcenter.hvc.links.summary", vapiLinkSummary{},
		"link", "Link", bindings.NewIdType([]string{"com.vmware.vcenter.hvc.Links"}, ""),
		"display_name", "DisplayName", bindings.NewStringType())
}

func sessionInfoType() bindings.BindingType {
	dt := bindings.NewDateTimeType()
	return structType("com.vmware.vcenter.hvc.links.sync.providers.session_info", vapiSessionInfo{},
		"stage", "Stage", bindings.NewStringType(), "completed_work", "CompletedWork", bindings.NewIntegerType(),
		"total_work", "TotalWork", bindings.NewIntegerType(), "start_time", "StartTime", dt,
		"completion_time", "CompletionTime", bindings.NewOptionalType(dt))
}

func providerInfoType() bindings.BindingType {
	return structType("com.vmware.vcenter.hvc.links.sync.providers.info", vapiProviderInfo{},
		"last_sync_time", "LastSyncTime", bindings.NewOptionalType(bindings.NewDateTimeType()),
		"status", "Status", bindings.NewStringType(),
		"polling_interval_in_seconds", "PollingIntervalInSeconds", bindings.NewIntegerType(),
		"current_session_info", "CurrentSessionInfo", bindings.NewOptionalType(bindings.NewReferenceType(sessionInfoType)))
}

var (
	linkID     = bindings.NewIdType([]string{"com.vmware.vcenter.hvc.Links"}, "")
	providerID = bindings.NewIdType([]string{"com.vmware.vcenter.hvc.links.sync.Providers"}, "")
)

// restMeta builds the REST metadata of an operation whose path parameters
// are named as their fields, with an optional body parameter.
func restMeta(method, template, dispatch, body string, success int, fs ...any) protocol.OperationRestMetadata {
	fields := map[string]bindings.BindingType{}
	names := map[string]string{}
	params := map[string]bindings.BindingType{}
	path := map[string]string{}
	for i := 0; i < len(fs); i += 3 {
		n := fs[i].(string)
		fields[n], names[n], params[n] = fs[i+2].(bindings.BindingType), fs[i+1].(string), fs[i+2].(bindings.BindingType)
		if n != body {
			path[n] = n
		}
	}
	return protocol.NewOperationRestMetadata(fields, names, params, path, map[string]string{}, map[string]string{},
		map[string]string{}, map[string]string{}, dispatch, body, method, template, "",
		map[string]string{}, success, "", map[string]map[string]string{},
		map[string]int{"com.vmware.vapi.std.errors.unauthenticated": 401, "com.vmware.vapi.std.errors.not_found": 404})
}

var vapiOps = map[string]*vapiOp{
	"Create": {service: "com.vmware.vcenter.hvc.links", name: "create",
		input: func() bindings.StructType {
			return structType("operation-input", data.StructValue{}, "spec", "Spec", bindings.NewReferenceType(linkCreateSpecType))
		},
		output: func() bindings.BindingType { return linkID },
		meta: func() protocol.OperationRestMetadata {
			return restMeta(http.MethodPost, "/api/hvc/links", "", "spec", 201,
				"spec", "Spec", bindings.NewReferenceType(linkCreateSpecType))
		}},
	"Start": {service: "com.vmware.vcenter.hvc.links.sync.providers", name: "start",
		input: func() bindings.StructType {
			return structType("operation-input", data.StructValue{}, "link", "Link", linkID, "provider", "Provider", providerID)
		},
		output: func() bindings.BindingType { return bindings.NewVoidType() },
		meta: func() protocol.OperationRestMetadata {
			return restMeta(http.MethodPost, "/api/hvc/links/{link}/sync/providers/{provider}", "action=start", "", 204,
				"link", "Link", linkID, "provider", "Provider", providerID)
		}},
	"List": {service: "com.vmware.vcenter.hvc.links", name: "list",
		input: func() bindings.StructType { return structType("operation-input", data.StructValue{}) },
		output: func() bindings.BindingType {
			return bindings.NewListType(bindings.NewReferenceType(linkSummaryType), reflect.TypeOf([]vapiLinkSummary{}))
		},
		meta: func() protocol.OperationRestMetadata { return restMeta(http.MethodGet, "/api/hvc/links", "", "", 200) }},
	"Get": {service: "com.vmware.vcenter.hvc.links.sync.providers", name: "get",
		input: func() bindings.StructType {
			return structType("operation-input", data.StructValue{}, "link", "Link", linkID, "provider", "Provider", providerID)
		},
		output: func() bindings.BindingType { return bindings.NewReferenceType(providerInfoType) },
		meta: func() protocol.OperationRestMetadata {
			return restMeta(http.MethodGet, "/api/hvc/links/{link}/sync/providers/{provider}", "", "", 200,
				"link", "Link", linkID, "provider", "Provider", providerID)
		}},
}
