package simulator

import (
	"encoding/json"
	"sort"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/vapi"
)

// vtype is the vAPI type of a result, enough to type the plain JSON the
// REST handlers produce: structure names and which fields are optional.
type vtype struct {
	kind   vapi.Kind // String (any scalar), List, Structure, Optional; Error marks a localizable message
	name   string
	elem   *vtype
	fields map[string]*vtype
}

var (
	tScalar = &vtype{kind: vapi.String}
	tMsg    = &vtype{kind: vapi.Error}
)

func tList(e *vtype) *vtype { return &vtype{kind: vapi.List, elem: e} }
func tOpt(e *vtype) *vtype  { return &vtype{kind: vapi.Optional, elem: e} }
func tStruct(name string, fields map[string]*vtype) *vtype {
	return &vtype{kind: vapi.Structure, name: name, fields: fields}
}

// outputTypes are the result types of the operations that return one
// (names as in VMware's IDL); an operation absent here is void.
var outputTypes = map[*ops.Op]*vtype{
	ops.LinksCreate: tScalar,
	ops.LinksList: tList(tStruct("com.vmware.vcenter.hvc.links.summary", map[string]*vtype{
		"link": tScalar, "display_name": tScalar,
	})),
	ops.LinksGet: tStruct("com.vmware.vcenter.hvc.links.info", map[string]*vtype{
		"connection_health_status": tOpt(tScalar), "health_status_message": tOpt(tMsg),
	}),
	ops.SyncProvidersList: tList(tStruct("com.vmware.vcenter.hvc.links.sync.providers.summary", map[string]*vtype{
		"provider": tScalar,
	})),
	ops.SyncProvidersGet: tStruct("com.vmware.vcenter.hvc.links.sync.providers.info", map[string]*vtype{
		"last_sync_time": tOpt(tScalar), "status": tScalar, "polling_interval_in_seconds": tScalar,
		"current_session_info": tOpt(tStruct("com.vmware.vcenter.hvc.links.sync.providers.session_info", map[string]*vtype{
			"stage": tScalar, "completed_work": tScalar, "total_work": tScalar, "completion_time": tOpt(tScalar),
			"start_time": tScalar, "exception": tOpt(tMsg),
		})),
		"status_message": tOpt(tMsg),
	}),
	ops.AdministratorsGet: tList(tScalar),
}

// typed types plain JSON (decoded with UseNumber) as t says.
func (t *vtype) typed(v any) vapi.Value {
	switch t.kind {
	case vapi.Optional:
		if v == nil {
			return vapi.None()
		}
		return vapi.Some(t.elem.typed(v))
	case vapi.List:
		xs, _ := v.([]any)
		out := make([]vapi.Value, 0, len(xs))
		for _, x := range xs {
			out = append(out, t.elem.typed(x))
		}
		return vapi.ListOf(out...)
	case vapi.Structure:
		m, _ := v.(map[string]any)
		fields := make(map[string]vapi.Value, len(t.fields))
		for k, ft := range t.fields {
			fields[k] = ft.typed(m[k])
		}
		return vapi.Struct(t.name, fields)
	case vapi.Error:
		m, _ := v.(map[string]any)
		msg := message{}
		msg.id, _ = m["id"].(string)
		msg.text, _ = m["default_message"].(string)
		args, _ := m["args"].([]any)
		for _, a := range args {
			s, _ := a.(string)
			msg.args = append(msg.args, s)
		}
		return messageValue(msg)
	}
	return scalar(v)
}

// scalar types a plain JSON scalar (or, defensively, anything else).
func scalar(v any) vapi.Value {
	switch x := v.(type) {
	case nil:
		return vapi.Value{Kind: vapi.Null}
	case string:
		return vapi.Str(x)
	case bool:
		return vapi.Boolean(x)
	case json.Number:
		return vapi.Value{Kind: vapi.Number, Str: x.String()}
	case []any:
		out := make([]vapi.Value, 0, len(x))
		for _, e := range x {
			out = append(out, scalar(e))
		}
		return vapi.ListOf(out...)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fields := make(map[string]vapi.Value, len(x))
		for _, k := range keys {
			fields[k] = scalar(x[k])
		}
		return vapi.Struct("com.vmware.vapi.dynamic_struct", fields)
	}
	return vapi.Value{Kind: vapi.Null}
}
