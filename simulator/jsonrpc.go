package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/vapi"
)

// FlavorJSONRPC is RecordedRequest.Flavor of a vAPI JSON-RPC call.
const FlavorJSONRPC = "jsonrpc"

// JSON-RPC 2.0 envelope error codes.
const (
	rpcParseError     = -32700
	rpcInvalidRequest = -32600
	rpcMethodNotFound = -32601
	rpcInvalidParams  = -32602
)

// vAPI ids the endpoint knows besides the ops table.
const (
	sessionService   = "com.vmware.cis.session"
	schemeUserPass   = "com.vmware.vapi.std.security.user_pass" //nolint:gosec // a vAPI scheme id, not a credential
	schemeSessionID  = "com.vmware.vapi.std.security.session_id"
	stdErrorsPrefix  = "com.vmware.vapi.std.errors."
	localizableMsg   = "com.vmware.vapi.std.localizable_message"
	certificateInfo  = "com.vmware.vcenter.hvc.links.certificate_info"
	rpcMask          = "*****"
	rpcSessionCreate = "create"
)

// rpcRecord is what the request log shows of a JSON-RPC call.
type rpcRecord struct {
	operation string
	body      []byte
}

// isJSONRPC reports whether a request is a vAPI JSON-RPC call: POST /api
// with a JSON body. It is served on every release, also where /api has no
// REST paths (6.7–7.0U1), as VMware's SDKs use it there.
func isJSONRPC(r *http.Request, escaped string) bool {
	if r.Method != http.MethodPost || escaped != "/api" {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

type rpcEnvelope struct {
	JSONRPC *string         `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  *string         `json:"method"`
	Params  json.RawMessage `json:"params"`
}

type rpcParams struct {
	ServiceID   string          `json:"serviceId"`
	OperationID string          `json:"operationId"`
	Input       json.RawMessage `json:"input"`
	Ctx         struct {
		SecurityCtx map[string]json.RawMessage `json:"securityCtx"`
	} `json:"ctx"`
}

// serveJSONRPC answers one JSON-RPC call. Every answer is HTTP 200: a
// result's output, a std error as result.error, or an envelope error.
func (s *Server) serveJSONRPC(w *statusWriter, r *http.Request) {
	rec := &rpcRecord{}
	w.rpc = rec
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			rec.body = []byte("(JSON-RPC body larger than the server accepts, not recorded)")
			writeRPCError(w, nil, rpcInvalidRequest, "Invalid Request: the body is larger than the server accepts")
			return
		}
		writeRPCError(w, nil, rpcParseError, "Parse error: the body could not be read")
		return
	}
	rec.body = maskRPCBody(b)
	if err := vapi.CheckBounds(b); errors.Is(err, vapi.ErrTooLarge) {
		writeRPCError(w, nil, rpcInvalidRequest, "Invalid Request: "+err.Error())
		return
	} else if err != nil {
		writeRPCError(w, nil, rpcParseError, "Parse error: "+err.Error())
		return
	}
	if !json.Valid(b) {
		writeRPCError(w, nil, rpcParseError, "Parse error: the body is not JSON")
		return
	}
	var env rpcEnvelope
	if err := json.Unmarshal(b, &env); err != nil {
		writeRPCError(w, nil, rpcInvalidRequest, "Invalid Request: expected a JSON-RPC 2.0 request object")
		return
	}
	id := env.ID
	if !validID(id) {
		writeRPCError(w, nil, rpcInvalidRequest, "Invalid Request: id must be a string, a number or null")
		return
	}
	if env.JSONRPC == nil || *env.JSONRPC != "2.0" {
		writeRPCError(w, id, rpcInvalidRequest, `Invalid Request: jsonrpc must be "2.0"`)
		return
	}
	if env.Method == nil || *env.Method != "invoke" {
		writeRPCError(w, id, rpcMethodNotFound, `Method not found: the only method is "invoke"`)
		return
	}
	var p rpcParams
	if err := json.Unmarshal(env.Params, &p); err != nil || len(env.Params) == 0 {
		writeRPCError(w, id, rpcInvalidParams, "Invalid params: expected an object with serviceId, operationId, input and ctx")
		return
	}
	if p.ServiceID == "" || p.OperationID == "" {
		writeRPCError(w, id, rpcInvalidParams, "Invalid params: serviceId and operationId are required")
		return
	}
	rec.operation = p.ServiceID + "." + p.OperationID
	input, msg := operationInputOf(p.Input)
	if msg != "" {
		writeRPCError(w, id, rpcInvalidParams, "Invalid params: "+msg)
		return
	}
	out, e, done := s.invoke(w, r, &p, input)
	if done {
		return
	}
	if e != nil {
		writeJSON(w, http.StatusOK, map[string]any{"jsonrpc": "2.0", "id": id, "result": map[string]any{"error": rpcErrorValue(e)}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"jsonrpc": "2.0", "id": id, "result": map[string]any{"output": out}})
}

func validID(id json.RawMessage) bool {
	t := bytes.TrimSpace(id)
	if len(t) == 0 || string(t) == "null" {
		return true
	}
	return t[0] == '"' || t[0] == '-' || (t[0] >= '0' && t[0] <= '9')
}

func writeRPCError(w http.ResponseWriter, id json.RawMessage, code int, message string) {
	if len(bytes.TrimSpace(id)) == 0 {
		id = json.RawMessage("null")
	}
	writeJSON(w, http.StatusOK, map[string]any{"jsonrpc": "2.0", "id": id, "error": map[string]any{"code": code, "message": message}})
}

// operationInputOf decodes params.input, which must be the structure
// "operation-input"; absent or null is an empty one.
func operationInputOf(raw json.RawMessage) (map[string]vapi.Value, string) {
	if t := bytes.TrimSpace(raw); len(t) == 0 || string(t) == "null" {
		return map[string]vapi.Value{}, ""
	}
	v, err := vapi.Decode(raw)
	if err != nil {
		return nil, "input: " + err.Error()
	}
	if v.Kind != vapi.Structure || v.Str != operationInput {
		return nil, `input must be {"STRUCTURE":{"operation-input":{…}}}`
	}
	return v.Fields, ""
}

// secretString reads a security context member sent as a string or as a
// SECRET.
func secretString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	v, err := vapi.Decode(raw)
	if err != nil || (v.Kind != vapi.String && v.Kind != vapi.Secret) {
		return "", false
	}
	return v.Str, true
}

// sessionToken is the session a call carries: the security context's
// sessionId, else the Vmware-Api-Session-Id header VMware's Go runtime
// also sends. Which wins when both differ is unconfirmed; the body does.
func sessionToken(r *http.Request, p *rpcParams) string {
	if scheme, _ := secretString(p.Ctx.SecurityCtx["schemeId"]); scheme == schemeSessionID {
		if tok, ok := secretString(p.Ctx.SecurityCtx["sessionId"]); ok {
			return tok
		}
	}
	return r.Header.Get(sessionHeader)
}

func (s *Server) authenticateRPC(r *http.Request, p *rpcParams) (string, session, *stdError) {
	synth, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "/api/session", http.NoBody)
	if tok := sessionToken(r, p); tok != "" {
		synth.Header.Set(sessionHeader, tok)
	}
	return s.authenticate(synth)
}

// errOperationNotFound is the vAPI runtime's answer to a service or
// operation its provider does not have (read from VMware's runtime code,
// not observed on a vCenter).
func errOperationNotFound(service, operation string, serviceKnown bool) *stdError {
	if !serviceKnown {
		return newError("OPERATION_NOT_FOUND", "vapi.method.input.invalid.interface",
			"Cannot find service '"+service+"'.", service)
	}
	return newError("OPERATION_NOT_FOUND", "vapi.method.input.invalid.method",
		"Cannot find operation '"+operation+"' in service '"+service+"'.", operation, service)
}

// lookupOp finds the operation of the ops table a call names, in the
// server's release.
func (s *Server) lookupOp(service, operation string) (*ops.Op, *stdError) {
	known := service == sessionService
	for _, op := range ops.All {
		if op.VAPIService != service {
			continue
		}
		known = true
		if op.VAPIOperation == operation && op.In(s.cfg.release) {
			return op, nil
		}
	}
	return nil, errOperationNotFound(service, operation, known)
}

// invoke runs one call. done reports that the answer was already written
// (by a fault).
func (s *Server) invoke(w *statusWriter, r *http.Request, p *rpcParams, input map[string]vapi.Value) (vapi.Value, *stdError, bool) {
	if p.ServiceID == sessionService {
		return s.invokeSession(w, r, p, input)
	}
	op, e := s.lookupOp(p.ServiceID, p.OperationID)
	if e != nil {
		return vapi.Value{}, e, false
	}
	plain := make(map[string]any, len(input))
	for k, v := range input {
		plain[k] = v.Plain()
	}
	// Path parameters are required strings. They are checked after the
	// fault and authentication, as the REST side checks them in the
	// handler; a missing one stands as "-" in the path faults see.
	names := op.Params()
	values := make([]string, len(names))
	faultValues := make([]string, len(names))
	var paramErr *stdError
	for i, n := range names {
		v, _ := plain[n].(string)
		values[i], faultValues[i] = v, v
		delete(plain, n)
		if _, err := op.Path(fill(len(names), i, v)...); err != nil && paramErr == nil {
			problem := "required field is missing"
			var pe *ops.ParamError
			if v != "" && errors.As(err, &pe) {
				problem = pe.Problem
			}
			paramErr = errInvalidArgument(n, problem)
		}
		if paramErr != nil {
			faultValues[i] = "-"
		}
	}
	path, _ := op.Path(faultValues...)
	target := "/api" + path
	if q := op.Query(); q != "" {
		target += "?" + q
	}
	if done, e := s.rpcFault(w, r, op.Method, target, path); done || e != nil {
		return vapi.Value{}, e, done
	}
	_, sess, e := s.authenticateRPC(r, p)
	if e != nil {
		return vapi.Value{}, e, false
	}
	if e := authorize(op, sess); e != nil {
		return vapi.Value{}, e, false
	}
	if paramErr != nil {
		return vapi.Value{}, paramErr, false
	}
	path, _ = op.Path(values...)
	target = "/api" + path
	if q := op.Query(); q != "" {
		target += "?" + q
	}
	body, e := rpcBody(op, plain)
	if e != nil {
		return vapi.Value{}, e, false
	}
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	synth, err := http.NewRequestWithContext(r.Context(), op.Method, target, rd)
	if err != nil {
		return vapi.Value{}, errInvalidRequest(err.Error()), false
	}
	if body == nil {
		synth.Body = nil
	}
	for i, n := range names {
		synth.SetPathValue(n, values[i])
	}
	rw := newRPCRecorder()
	s.impls()[op](rw, synth, flavorAPI, sess)
	return fromREST(rw, outputTypes[op])
}

// fill returns n valid path values with v at i, to check v alone.
func fill(n, i int, v string) []string {
	out := make([]string, n)
	for j := range out {
		out[j] = "x"
	}
	out[i] = v
	return out
}

// rpcBody turns the parameters left after the path parameters into the
// /api body the REST handler reads: the WrapAs parameter itself, nothing for
// an operation without a body (a set parameter is UNEXPECTED_INPUT), or
// the parameters as an object.
func rpcBody(op *ops.Op, plain map[string]any) ([]byte, *stdError) {
	var extra []string
	switch {
	case op.WrapAs != "":
		for k, v := range plain {
			if k != op.WrapAs && v != nil {
				extra = append(extra, k)
			}
		}
	case op.Method == http.MethodGet || op.Method == http.MethodDelete:
		for k, v := range plain {
			if v != nil {
				extra = append(extra, k)
			}
		}
	default:
		b, err := json.Marshal(plain)
		if err != nil {
			return nil, errInvalidRequest(err.Error())
		}
		return b, nil
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, errUnexpectedInput(extra, operationInput)
	}
	if op.WrapAs == "" {
		return nil, nil
	}
	v := plain[op.WrapAs]
	if v == nil {
		return nil, errInvalidArgument(op.WrapAs, "required field is missing")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errInvalidRequest(err.Error())
	}
	return b, nil
}

// rpcFault applies the first fault matching the REST request the call
// stands for (method and /api target), so that a fault aimed at an
// operation fires on JSON-RPC too. An ErrorType fault becomes a std error
// of the call; the other kinds act on the HTTP exchange (done).
func (s *Server) rpcFault(w *statusWriter, r *http.Request, method, target, rel string) (bool, *stdError) {
	synth, err := http.NewRequestWithContext(r.Context(), method, target, http.NoBody)
	if err != nil {
		return false, nil
	}
	f := s.fault(synth, flavorAPI.String(), rel)
	if f == nil {
		return false, nil
	}
	if f.ErrorType != "" && f.Respond == nil && !f.Drop && f.Body == nil {
		g := *f
		g.ErrorType, g.Status = "", 0
		if applyFault(w, r, flavorAPI, &g) {
			return true, nil
		}
		return false, faultError(f)
	}
	return applyFault(w, r, flavorAPI, f), nil
}

// invokeSession runs com.vmware.cis.session create, get and delete.
func (s *Server) invokeSession(w *statusWriter, r *http.Request, p *rpcParams, input map[string]vapi.Value) (vapi.Value, *stdError, bool) {
	method := map[string]string{rpcSessionCreate: http.MethodPost, "get": http.MethodGet, "delete": http.MethodDelete}[p.OperationID]
	if method == "" {
		return vapi.Value{}, errOperationNotFound(p.ServiceID, p.OperationID, true), false
	}
	if done, e := s.rpcFault(w, r, method, "/api"+apiSessionPath, apiSessionPath); done || e != nil {
		return vapi.Value{}, e, done
	}
	var extra []string
	for k, v := range input {
		if v.Kind != vapi.Null && !(v.Kind == vapi.Optional && v.Elem == nil) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return vapi.Value{}, errUnexpectedInput(extra, operationInput), false
	}
	switch p.OperationID {
	case rpcSessionCreate:
		scheme, _ := secretString(p.Ctx.SecurityCtx["schemeId"])
		user, okU := secretString(p.Ctx.SecurityCtx["userName"])
		pass, okP := secretString(p.Ctx.SecurityCtx["password"])
		tok, e := s.loginUser(user, pass, scheme == schemeUserPass && okU && okP)
		if e != nil {
			return vapi.Value{}, e, false
		}
		return vapi.Secr(tok), nil, false
	case "get":
		_, sess, e := s.authenticateRPC(r, p)
		if e != nil {
			return vapi.Value{}, e, false
		}
		return vapi.Struct("com.vmware.cis.session.info", map[string]vapi.Value{
			"user":               vapi.Str(sess.user),
			"created_time":       vapi.Str(formatTime(sess.created)),
			"last_accessed_time": vapi.Str(formatTime(sess.lastAccessed)),
		}), nil, false
	default:
		tok, _, e := s.authenticateRPC(r, p)
		if e != nil {
			return vapi.Value{}, e, false
		}
		s.logout(tok)
		return vapi.Value{Kind: vapi.Null}, nil, false
	}
}

// rpcRecorder keeps a REST handler's answer for translation.
type rpcRecorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func newRPCRecorder() *rpcRecorder { return &rpcRecorder{h: http.Header{}} }

func (r *rpcRecorder) Header() http.Header { return r.h }
func (r *rpcRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *rpcRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// fromREST translates a REST /api answer into the call's output, typed by
// t, or its std error.
func fromREST(rw *rpcRecorder, t *vtype) (vapi.Value, *stdError, bool) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	dec := json.NewDecoder(bytes.NewReader(rw.body.Bytes()))
	dec.UseNumber()
	if rw.status >= 300 {
		var body struct {
			ErrorType string `json:"error_type"`
			Messages  []struct {
				ID             string                       `json:"id"`
				DefaultMessage string                       `json:"default_message"`
				Args           []string                     `json:"args"`
				Params         map[string]map[string]string `json:"params"`
			} `json:"messages"`
			Data map[string]string `json:"data"`
		}
		if err := dec.Decode(&body); err != nil || body.ErrorType == "" {
			return vapi.Value{}, newError("ERROR", "com.vmware.hvc.simulator.jsonrpc.translation", "The operation failed."), false
		}
		e := &stdError{typ: body.ErrorType, status: rw.status}
		for _, m := range body.Messages {
			msg := message{id: m.ID, text: m.DefaultMessage, args: m.Args}
			keys := make([]string, 0, len(m.Params))
			for k := range m.Params {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				msg.params = append(msg.params, param{k, m.Params[k]["s"]})
			}
			e.messages = append(e.messages, msg)
		}
		if body.Data != nil {
			e.data = body.Data
		}
		return vapi.Value{}, e, false
	}
	if rw.body.Len() == 0 || t == nil {
		return vapi.Value{Kind: vapi.Null}, nil, false
	}
	var v any
	if err := dec.Decode(&v); err != nil {
		return vapi.Value{}, newError("ERROR", "com.vmware.hvc.simulator.jsonrpc.translation", "The operation's result could not be encoded."), false
	}
	return t.typed(v), nil, false
}

// rpcErrorValue is a std error as a vAPI ERROR value.
func rpcErrorValue(e *stdError) vapi.Value {
	msgs := make([]vapi.Value, 0, len(e.messages))
	for _, m := range e.messages {
		msgs = append(msgs, messageValue(m))
	}
	data := vapi.None()
	if d, ok := e.data.(map[string]string); ok && e.typ == "UNVERIFIED_PEER" {
		fields := map[string]vapi.Value{}
		for k, v := range d {
			fields[k] = vapi.Str(v)
		}
		data = vapi.Some(vapi.Struct(certificateInfo, fields))
	}
	return vapi.Err(stdErrorsPrefix+strings.ToLower(e.typ), map[string]vapi.Value{
		"messages":   vapi.ListOf(msgs...),
		"data":       data,
		"error_type": vapi.Some(vapi.Str(e.typ)),
	})
}

// messageValue is a localizable message. Its params map is sent unset:
// how the JSON-RPC encoding spells a map is not confirmed.
func messageValue(m message) vapi.Value {
	args := make([]vapi.Value, 0, len(m.args))
	for _, a := range m.args {
		args = append(args, vapi.Str(a))
	}
	return vapi.Struct(localizableMsg, map[string]vapi.Value{
		"id": vapi.Str(m.id), "default_message": vapi.Str(m.text), "args": vapi.ListOf(args...),
		"params": vapi.None(), "localized": vapi.None(),
	})
}

// maskRPCBody re-encodes a JSON-RPC body for the request log with every
// SECRET value, every "password" member and the security context's
// credentials masked. A body that is not JSON is not recorded.
func maskRPCBody(b []byte) []byte {
	if vapi.CheckBounds(b) != nil {
		return []byte("(JSON-RPC body beyond the decoding bounds, not recorded)")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []byte("(JSON-RPC body that is not JSON, not recorded)")
	}
	out, err := json.Marshal(maskAny(v, false))
	if err != nil {
		return []byte("(JSON-RPC body, not recorded)")
	}
	return out
}

func maskAny(v any, security bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			switch {
			case security && k != "schemeId":
				out[k] = rpcMask
			case k == "SECRET" || strings.EqualFold(k, "password"):
				out[k] = rpcMask
			default:
				out[k] = maskAny(e, k == "securityCtx")
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = maskAny(e, false)
		}
		return out
	}
	return v
}
