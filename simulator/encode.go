package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/hvcsdk/hvc/internal/wire"
)

// flavor is one of the two REST dialects a request arrived in: the
// module's one flavor type, which the SDK exports as hvc.Flavor.
type flavor = wire.Flavor

const (
	flavorAPI  = wire.API  // /api, vSphere 7.0U2+
	flavorREST = wire.REST // /rest, legacy
)

// writeJSON writes v with the status and Content-Type: application/json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error_type":"INTERNAL_SERVER_ERROR","messages":[]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeResult answers a successful operation. /api sends the raw result with
// created (201) for a create, 204 for a void operation and 200 otherwise;
// /rest wraps a non-void result in {"value":...} and always answers 200.
func writeResult(w http.ResponseWriter, f flavor, created bool, v any) {
	if f == flavorREST {
		if v == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"value": v})
		return
	}
	switch {
	case v == nil:
		w.WriteHeader(http.StatusNoContent)
	case created:
		writeJSON(w, http.StatusCreated, v)
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

// writeError answers with a standard error in the flavor's envelope:
// /api {"error_type":...,"messages":[...],"data":...}; /rest
// {"type":"com.vmware.vapi.std.errors.<snake>","value":{...same...}}, with
// message params as an object (/api) or a key/value list (/rest).
func writeError(w http.ResponseWriter, f flavor, e *stdError) {
	body := map[string]any{"error_type": e.typ, "messages": encodeMessages(f, e.messages)}
	if e.data != nil {
		body["data"] = e.data
	}
	if e.typ == "UNAUTHENTICATED" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	if f == flavorREST {
		if e.typ == "UNAUTHENTICATED" {
			// The observed legacy 401 body has no error_type inside value
			// (see errUnauthenticated).
			delete(body, "error_type")
		}
		writeJSON(w, e.status, map[string]any{"type": legacyType(e.typ), "value": body})
		return
	}
	writeJSON(w, e.status, body)
}

func encodeMessages(f flavor, ms []message) []map[string]any {
	out := make([]map[string]any, 0, len(ms))
	for _, m := range ms {
		args := m.args
		if args == nil {
			args = []string{}
		}
		enc := map[string]any{"id": m.id, "default_message": m.text, "args": args}
		if len(m.params) > 0 {
			enc["params"] = encodeParams(f, m.params)
		}
		out = append(out, enc)
	}
	return out
}

func encodeParams(f flavor, ps []param) any {
	if f == flavorREST {
		list := make([]map[string]any, 0, len(ps))
		for _, p := range ps {
			list = append(list, map[string]any{"key": p.key, "value": map[string]string{"s": p.value}})
		}
		return list
	}
	obj := make(map[string]any, len(ps))
	for _, p := range ps {
		obj[p.key] = map[string]string{"s": p.value}
	}
	return obj
}

// messageJSON encodes one message for use inside a result (an exception or
// status message).
func messageJSON(f flavor, m message) map[string]any { return encodeMessages(f, []message{m})[0] }
