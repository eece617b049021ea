package hvc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// The secrets of the audit. Each password holds an alphanumeric core that
// survives any escaping (so a leak in an escaped, re-quoted or cut form is
// still found) and the characters that JSON, Go quoting and HTML escape, so
// that every escaped spelling is exercised.
const (
	auditUser    = "auditor@vsphere.local"
	auditAdminPW = `AdminPW-Qz7Kx3Wm9-<&>"\'-end`
	auditWrongPW = `WrongPW-Mr4Tt8Yv2-<&>"\'-end`
	auditPSCPW   = `PscPW-Hn6Jc2Lp5-<&>"\'-end`
	auditSyncPW  = `SyncPW-Bd3Vq9Sx1-<&>"\'-end`
)

// auditCore returns the part of a secret that no escaping changes: the
// alphanumeric run between the first two dashes of a password, or the first
// half of a session id.
func auditCore(s string) string {
	if parts := strings.Split(s, "-"); len(parts) > 2 {
		return parts[0] + "-" + parts[1]
	}
	return s[:len(s)/2]
}

// spellings returns the forms a secret takes when something formats,
// quotes, escapes or encodes it: plain, Go-quoted, JSON-escaped (with and
// without HTML escaping, and each quoted once more as a text log does with a
// JSON body), URL-escaped, hex, base64, and the decimal and Go byte lists
// %v and %#v print for a []byte, plus the escape-proof core.
func spellings(s string) []string {
	var out []string
	add := func(v string) {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	quote := func(v string) string { q := strconv.Quote(v); return q[1 : len(q)-1] }
	jsonEsc := func(v string, html bool) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		_ = enc.Encode(v)
		q := strings.TrimSuffix(b.String(), "\n")
		return q[1 : len(q)-1]
	}
	add(s)
	add(auditCore(s))
	for _, first := range []string{quote(s), jsonEsc(s, true), jsonEsc(s, false)} {
		add(first)
		add(quote(first))
		add(jsonEsc(first, true))
		add(jsonEsc(first, false))
	}
	add(url.QueryEscape(s))
	add(url.PathEscape(s))
	add(hex.EncodeToString([]byte(s)))
	add(strings.ToUpper(hex.EncodeToString([]byte(s))))
	add(base64.StdEncoding.EncodeToString([]byte(s)))
	add(base64.RawURLEncoding.EncodeToString([]byte(s)))
	dec := fmt.Sprintf("%v", []byte(s))
	add(dec[1 : len(dec)-1])
	gob := fmt.Sprintf("%#v", []byte(s))
	add(gob[len("[]byte{") : len(gob)-1])
	return out
}

// auditSecret is one value that must never be shown.
type auditSecret struct {
	name, value string
	forms       []string
}

func newAuditSecret(name, value string) auditSecret {
	return auditSecret{name: name, value: value, forms: spellings(value)}
}

// foundIn returns the first spelling of the secret that s contains.
// reportLeaks fails t for every string that shows one of the secrets, in
// any form, quoting the place around it, and returns how many it found.
func reportLeaks(t *testing.T, strs []auditString, secrets []auditSecret) int {
	t.Helper()
	leaks := 0
	for _, s := range strs {
		for _, sec := range secrets {
			if form, ok := sec.foundIn(s.s); ok {
				leaks++
				i := strings.Index(s.s, form)
				lo, hi := max(0, i-80), min(len(s.s), i+len(form)+80)
				t.Errorf("%s leaks the %s as %q: …%s…", s.label, sec.name, form, s.s[lo:hi])
			}
		}
	}
	return leaks
}

func (sec auditSecret) foundIn(s string) (string, bool) {
	for _, f := range sec.forms {
		if strings.Contains(s, f) {
			return f, true
		}
	}
	return "", false
}

// auditTap sits in front of the simulator's handler and keeps every request
// as it arrived (request line, headers, body) and every session id a login
// issued, so the test can prove the secrets really went over the wire.
type auditTap struct {
	next http.Handler

	mu     sync.Mutex
	raw    bytes.Buffer
	issued []string
}

var auditToken = regexp.MustCompile(`[0-9a-f]{32}`)

// tapWriter copies the response body; Unwrap keeps Hijack (dropped
// connection faults) reachable.
type tapWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *tapWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *tapWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *tapWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (t *auditTap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s\n", r.Method, r.URL.RequestURI())
	_ = r.Header.Write(&head)
	tw := &tapWriter{ResponseWriter: w}
	defer func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.raw.Write(head.Bytes())
		t.raw.Write(body)
		t.raw.WriteString("\n\n")
		login := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "session") && r.URL.RawQuery == ""
		if login && tw.status/100 == 2 {
			t.issued = append(t.issued, auditToken.FindAllString(tw.body.String(), -1)...)
		}
	}()
	t.next.ServeHTTP(tw, r)
}

func (t *auditTap) wire() (string, []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.raw.String(), slices.Clone(t.issued)
}

// auditLog collects every string the audit checks.
type auditLog struct {
	mu      sync.Mutex
	ops     int
	strs    []auditString
	session []string
}

type auditString struct{ label, s string }

func (a *auditLog) add(label, s string) {
	a.mu.Lock()
	a.strs = append(a.strs, auditString{label, s})
	a.mu.Unlock()
}

// value collects %v, %+v and %#v of v, of what it points to, and of an
// error's Error().
func (a *auditLog) value(label string, v any) {
	a.add(label+" %v", fmt.Sprintf("%v", v))
	a.add(label+" %+v", fmt.Sprintf("%+v", v))
	a.add(label+" %#v", fmt.Sprintf("%#v", v))
	if e, ok := v.(error); ok && !isNil(e) {
		a.add(label+" Error()", e.Error())
	}
	// The pointee too, but not a Client's: copying one copies its locks
	// (go vet's copylocks), which no caller can do unnoticed.
	if _, client := v.(*hvc.Client); client {
		return
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		el := rv.Elem().Interface()
		a.add(label+" *%+v", fmt.Sprintf("%+v", el))
		a.add(label+" *%#v", fmt.Sprintf("%#v", el))
	}
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// sessionID records a session id the client held.
func (a *auditLog) sessionID(id string) {
	if id == "" {
		return
	}
	a.mu.Lock()
	if !slices.Contains(a.session, id) {
		a.session = append(a.session, id)
	}
	a.mu.Unlock()
}

// walkErrors calls fn on err and every error it wraps, joined ones included.
func walkErrors(err error, fn func(error)) {
	if err == nil {
		return
	}
	fn(err)
	switch u := err.(type) { //nolint:errorlint // walks the chain itself
	case interface{ Unwrap() error }:
		walkErrors(u.Unwrap(), fn)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walkErrors(e, fn)
		}
	}
}

// asTargets lists every public error type a caller may errors.As into.
func asTargets(err error) map[string]any {
	out := map[string]any{}
	try := func(name string, target any) {
		if errors.As(err, target) {
			out[name] = reflect.ValueOf(target).Elem().Interface()
		}
	}
	try("*StdError", new(*hvc.StdError))
	try("*UnverifiedPeerError", new(*hvc.UnverifiedPeerError))
	try("*UnauthenticatedError", new(*hvc.UnauthenticatedError))
	try("*NotFoundError", new(*hvc.NotFoundError))
	try("*AlreadyExistsError", new(*hvc.AlreadyExistsError))
	try("*InvalidArgumentError", new(*hvc.InvalidArgumentError))
	try("*ResourceBusyError", new(*hvc.ResourceBusyError))
	try("*GenericError", new(*hvc.GenericError))
	try("*ServiceUnavailableError", new(*hvc.ServiceUnavailableError))
	try("*TransportError", new(*hvc.TransportError))
	try("*DecodeError", new(*hvc.DecodeError))
	try("*CertificateMismatchError", new(*hvc.CertificateMismatchError))
	try("*SyncFailedError", new(*hvc.SyncFailedError))
	return out
}

// err collects everything a caller can print of an error: the error and
// each error it wraps, every errors.As target, and the parts of those
// (messages, data, snippet, certificate, sync info) field by field.
func (a *auditLog) err(label string, err error) {
	if err == nil {
		return
	}
	walkErrors(err, func(e error) { a.value(label+" chain "+fmt.Sprintf("%T", e), e) })
	for name, target := range asTargets(err) {
		a.value(label+" as "+name, target)
	}
	var std *hvc.StdError
	if errors.As(err, &std) {
		a.add(label+" Message()", std.Message())
		a.add(label+" Data", string(std.Data))
		for i, m := range std.Messages {
			a.value(label+" message "+strconv.Itoa(i), m)
			b, _ := json.Marshal(m)
			a.add(label+" message json", string(b))
			for k, p := range m.Params {
				a.add(label+" param name", k)
				a.value(label+" param "+k, p)
			}
		}
		b, _ := json.Marshal(std.Messages)
		a.add(label+" messages json", string(b))
		b, _ = json.Marshal(std)
		a.add(label+" error json", string(b))
	}
	var peer *hvc.UnverifiedPeerError
	if errors.As(err, &peer) {
		info, ierr := peer.CertificateInfo()
		a.value(label+" CertificateInfo", info)
		a.value(label+" CertificateInfo error", ierr)
	}
	var dec *hvc.DecodeError
	if errors.As(err, &dec) {
		a.add(label+" Snippet", dec.Snippet)
		a.value(label+" DecodeError.Err", dec.Err)
	}
	var failed *hvc.SyncFailedError
	if errors.As(err, &failed) {
		a.value(label+" Info", failed.Info)
		a.value(label+" Message", failed.Message)
	}
}

// ok records a successful operation and its results.
func (a *auditLog) ok(t *testing.T, op string, err error, results ...any) {
	t.Helper()
	a.mu.Lock()
	a.ops++
	a.mu.Unlock()
	require.NoError(t, err, op)
	for i, r := range results {
		a.value(op+" result "+strconv.Itoa(i), r)
	}
}

// fails records a failed operation; want is a sentinel for errors.Is or a
// pointer to an error pointer for errors.As.
func (a *auditLog) fails(t *testing.T, op string, err error, want any) {
	t.Helper()
	a.mu.Lock()
	a.ops++
	a.mu.Unlock()
	require.Error(t, err, op)
	a.err(op, err)
	if w, isErr := want.(error); isErr {
		require.ErrorIs(t, err, w, op)
	} else {
		require.ErrorAs(t, err, want, op)
	}
}

// echoError is a std error body, in a flavor's envelope, that quotes text in
// its message, arguments, a string param, a nested param, a param name, a
// nested message id, a date-time format, a message nested deeper than the
// client keeps, and its data, as a careless server echoing the request it
// rejected would.
func echoError(legacy bool, typ, text string) []byte {
	msg := map[string]any{"id": "com.example.echo", "default_message": "rejected: " + text, "args": []string{text},
		"localized": text}
	nested := map[string]any{"id": "com.example.nested", "params": map[string]any{"inner": map[string]any{"s": text}, text: map[string]any{"s": "key echo"}}}
	echoID := map[string]any{"id": text}
	// Deeper than the 32 levels the client keeps.
	var deep any = map[string]any{"id": text, "params": map[string]any{"bottom": map[string]any{"s": text}}}
	for range 40 {
		deep = map[string]any{"id": "com.example.level", "params": map[string]any{"down": map[string]any{"l": deep}}}
	}
	format := map[string]any{"dt": "2024-01-01T00:00:00Z", "format": text}
	if legacy {
		msg["params"] = []any{
			map[string]any{"key": "detail", "value": map[string]any{"s": text}},
			map[string]any{"key": "cause", "value": map[string]any{"l": nested}},
			map[string]any{"key": text, "value": map[string]any{"s": "key echo"}},
			map[string]any{"key": "id echo", "value": map[string]any{"l": echoID}},
			map[string]any{"key": "format", "value": format},
			map[string]any{"key": "deep", "value": map[string]any{"l": deep}},
		}
	} else {
		msg["params"] = map[string]any{"detail": map[string]any{"s": text}, "cause": map[string]any{"l": nested},
			text: map[string]any{"s": "key echo"}, "id echo": map[string]any{"l": echoID}, "format": format,
			"deep": map[string]any{"l": deep}}
	}
	body := map[string]any{"error_type": typ, "messages": []any{msg}, "data": map[string]any{"echo": text, "list": []string{text}}}
	var v any = body
	if legacy {
		v = map[string]any{"type": "com.vmware.vapi.std.errors." + strings.ToLower(typ), "value": body}
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// providerEcho is a provider's success body whose date-time is text, as a
// server echoing a password where a time belongs would send.
func providerEcho(legacy bool, text string) []byte {
	var v any = map[string]any{"status": "OK", "last_sync_time": text}
	if legacy {
		v = map[string]any{"value": v}
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// auditSpec is a create spec holding the foreign PSC's distinctive password.
func auditSpec(domain, thumbprint string) hvc.LinkCreateSpec {
	s := foreignSpec(domain)
	s.Password = auditPSCPW
	s.SSLThumbprint = thumbprint
	return s
}

// auditRun is one configuration of the audit: a flavor and a log handler.
type auditRun struct {
	name    string
	version string // vSphere release of the simulator
	sim     []simulator.Option
	flavor  hvc.Flavor
	legacy  bool
	json    bool
}

// The masking rule the audit holds the SDK to (internal/redact.Strings):
// a secret is masked wherever it stands as a token — each end of the match
// is the edge of the text or meets a character that is not a letter, digit
// or underscore (a JSON escape such as \n counts as such a character) — and
// a secret of 8 runes or more wherever it occurs at all. JSON member names
// that merely contain a short secret ("ssl_thumbprint" for a password
// "ssl") and other text ("psc.example" for "p") are never altered; JSON
// data keeps its shape. The audit's passwords are long, so any echo of
// them, in any spelling, is a leak; TestMaskOnlyTokens and
// TestMaskEveryField cover short ones.

// TestSecretsAudit runs every operation, on its success and error paths, in
// both flavors and with a text and a JSON debug log, and checks that no
// password (right, wrong, foreign, sync) and no session id the server
// issued appears in any error string, any %v/%+v/%#v of a public value, or
// the debug log — after proving the secrets did go over the wire, so the
// audit cannot pass by never sending them.
func TestSecretsAudit(t *testing.T) {
	t.Parallel()
	runs := []auditRun{
		// 8.0 has the sync operations, 8.0U1 links get and delete with
		// credentials: each run audits the operations its release has and
		// the unavailable errors of the others.
		{name: "api/text", version: "8.0", flavor: hvc.FlavorAPI},
		{name: "rest/text", version: "8.0U1", sim: []simulator.Option{simulator.WithRESTOnly()}, flavor: hvc.FlavorAuto, legacy: true},
		{name: "api/json", version: "8.0U1", flavor: hvc.FlavorAPI, json: true},
		{name: "rest/json", version: "8.0", sim: []simulator.Option{simulator.WithRESTOnly()}, flavor: hvc.FlavorREST, legacy: true, json: true},
	}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			t.Parallel()
			secretsAudit(t, run)
		})
	}
}

// secretsAudit is one run of TestSecretsAudit: a simulator behind a
// recording front, the clients, every operation, then the checks.
func secretsAudit(t *testing.T, run auditRun) {
	ctx := context.Background()
	sim := simulator.Run(t, append([]simulator.Option{
		simulator.WithVersion(run.version),
		simulator.WithAdmin(auditUser, auditAdminPW),
		simulator.WithSyncStepPerPoll(),
		simulator.WithProviders("identity", "authorization", "doomed"),
		simulator.WithFailingProvider("doomed"),
		simulator.WithForeignPSCCredentials(simulator.DefaultForeignPSC, simulator.DefaultForeignUser, auditPSCPW),
	}, run.sim...)...)
	tap := &auditTap{next: sim.Handler()}
	front := httptest.NewUnstartedServer(tap)
	front.StartTLS()
	t.Cleanup(front.Close)

	var logBuf bytes.Buffer
	hopts := &slog.HandlerOptions{Level: slog.LevelDebug}
	var handler slog.Handler = slog.NewTextHandler(&logBuf, hopts)
	if run.json {
		handler = slog.NewJSONHandler(&logBuf, hopts)
	}
	logger := slog.New(handler)

	// Text runs pin the front's thumbprint, JSON runs trust it as a root.
	sum := sha256.Sum256(front.Certificate().Raw)
	trust := hvc.WithThumbprint(hex.EncodeToString(sum[:]))
	if run.json {
		pool := x509.NewCertPool()
		pool.AddCert(front.Certificate())
		trust = hvc.WithRootCAs(pool)
	}
	a := &auditLog{}
	newClient := func(endpoint string, opts ...hvc.Option) *hvc.Client {
		t.Helper()
		opts = append([]hvc.Option{hvc.WithLogger(logger), hvc.WithFlavor(run.flavor)}, opts...)
		for i, o := range opts {
			a.value("option "+strconv.Itoa(i), o)
		}
		c, err := hvc.New(endpoint, opts...)
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		a.value("new client", c)
		return c
	}
	c := newClient(front.URL, hvc.WithCredentials(auditUser, auditAdminPW), trust)

	sessionPath := "/session"
	if run.legacy {
		sessionPath = "/com/vmware/cis/session"
	}
	pscCreds := hvc.Credentials{UserName: simulator.DefaultForeignUser, Password: auditPSCPW}
	syncCreds := &hvc.Credentials{UserName: "sync@remote.local", Password: auditSyncPW}
	a.value("psc credentials", pscCreds)
	a.value("*psc credentials", &pscCreds)
	a.value("sync credentials", syncCreds)
	a.value("sync credentials value", *syncCreds)
	for _, s := range []hvc.LinkCreateSpec{auditSpec("x.local", ""), auditSpec("x.local", simulator.DefaultForeignThumbprint)} {
		a.value("spec", s)
		a.value("*spec", &s)
		logger.Info("audit value", "spec", s, "creds", pscCreds, "sync", syncCreds, "client", c)
	}
	fast := hvc.WaitOptions{PollInterval: time.Millisecond, OnProgress: func(p hvc.SyncProgress) { a.value("progress", p) }}

	// Success paths.
	a.ok(t, "Login", c.Login(ctx))
	a.sessionID(c.SessionID())
	wantFlavor := hvc.FlavorAPI
	if run.legacy {
		wantFlavor = hvc.FlavorREST
	}
	require.Equal(t, wantFlavor, c.Flavor())

	id1, err := c.Links.Create(ctx, auditSpec("one.local", simulator.DefaultForeignThumbprint))
	a.ok(t, "Links.Create", err, id1)
	id2, err := c.Links.CreateTrusting(ctx, auditSpec("two.local", ""), trustKnown)
	a.ok(t, "Links.CreateTrusting", err, id2)
	links, err := c.Links.List(ctx)
	a.ok(t, "Links.List", err, links)
	var info hvc.LinkInfo
	hasGet, hasSync := sim.Serves("Links.Get"), sim.Serves("SyncProviders.Start")
	if hasGet {
		info, err = c.Links.Get(ctx, id1)
		a.ok(t, "Links.Get", err, info)
		require.True(t, sim.SetLinkHealth(id1, false, "PSC unreachable"))
		info, err = c.Links.Get(ctx, id1)
		a.ok(t, "Links.Get unhealthy", err, info, info.HealthStatusMessage)
	} else {
		_, err = c.Links.Get(ctx, id1)
		a.fails(t, "Links.Get unavailable", err, hvc.ErrOperationUnavailable)
	}
	if hasSync {
		providers, err := c.SyncProviders.List(ctx, id1)
		a.ok(t, "SyncProviders.List", err, providers)
		pinfo, err := c.SyncProviders.Get(ctx, id1, "identity")
		a.ok(t, "SyncProviders.Get", err, pinfo)
		// No released start takes credentials: they are sent, and refused.
		a.fails(t, "SyncProviders.Start with credentials", c.SyncProviders.Start(ctx, id1, "identity", syncCreds), hvc.ErrUnexpectedInput)
		a.ok(t, "SyncProviders.Start", c.SyncProviders.Start(ctx, id1, "identity", nil))
		pinfo, err = c.SyncProviders.Wait(ctx, id1, "identity", fast)
		a.ok(t, "SyncProviders.Wait", err, pinfo, pinfo.CurrentSessionInfo, pinfo.LastSyncTime)
		_, err = c.SyncProviders.StartAndWait(ctx, id1, "authorization", syncCreds, fast)
		a.fails(t, "SyncProviders.StartAndWait with credentials", err, new(*hvc.UnexpectedInputError))
		pinfo, err = c.SyncProviders.StartAndWait(ctx, id1, "authorization", nil, fast)
		a.ok(t, "SyncProviders.StartAndWait", err, pinfo)
		a.ok(t, "SyncProviders.Start no credentials", c.SyncProviders.Start(ctx, id2, "identity", nil))
		pinfo, err = c.SyncProviders.Get(ctx, id2, "identity")
		a.ok(t, "SyncProviders.Get running", err, pinfo, pinfo.CurrentSessionInfo)
		a.ok(t, "Sync.Reset", c.Sync.Reset(ctx, id1))
	} else {
		_, err = c.SyncProviders.List(ctx, id1)
		a.fails(t, "SyncProviders.List unavailable", err, hvc.ErrOperationUnavailable)
		a.fails(t, "SyncProviders.Start unavailable", c.SyncProviders.Start(ctx, id1, "identity", syncCreds), new(*hvc.OperationUnavailableError))
		_, err = c.SyncProviders.StartAndWait(ctx, id1, "authorization", syncCreds, fast)
		a.fails(t, "SyncProviders.StartAndWait unavailable", err, hvc.ErrOperationUnavailable)
		a.fails(t, "Sync.Reset unavailable", c.Sync.Reset(ctx, id1), hvc.ErrOperationUnavailable)
	}
	groups, err := c.Administrators.Get(ctx)
	a.ok(t, "Administrators.Get", err, groups)
	a.ok(t, "Administrators.Set", c.Administrators.Set(ctx, []string{"a@audit.local", "b@audit.local"}))
	a.ok(t, "Administrators.Add", c.Administrators.Add(ctx, "c@audit.local"))
	a.ok(t, "Administrators.Remove", c.Administrators.Remove(ctx, "a@audit.local"))

	// Server errors.
	_, err = c.Links.Create(ctx, auditSpec("bad.local", sim.Thumbprint()))
	a.fails(t, "Links.Create wrong thumbprint", err, new(*hvc.UnverifiedPeerError))
	_, err = c.Links.Create(ctx, auditSpec("bad.local", ""))
	a.fails(t, "Links.Create no thumbprint", err, hvc.ErrUnverifiedPeer)
	_, err = c.Links.CreateTrusting(ctx, auditSpec("bad.local", ""), func(hvc.CertificateInfo) (bool, error) { return false, nil })
	a.fails(t, "Links.CreateTrusting refused", err, hvc.ErrUnverifiedPeer)
	refused := errors.New("operator said no")
	_, err = c.Links.CreateTrusting(ctx, auditSpec("bad.local", ""), func(hvc.CertificateInfo) (bool, error) { return false, refused })
	a.fails(t, "Links.CreateTrusting trust error", err, refused)
	_, err = c.Links.Create(ctx, auditSpec("one.local", simulator.DefaultForeignThumbprint))
	a.fails(t, "Links.Create duplicate", err, hvc.ErrAlreadyExists)
	if hasGet {
		_, err = c.Links.Get(ctx, "link-404")
		a.fails(t, "Links.Get missing", err, new(*hvc.NotFoundError))
		a.fails(t, "Links.DeleteWithCredentials missing", c.Links.DeleteWithCredentials(ctx, "link-404", pscCreds), hvc.ErrNotFound)
	} else {
		a.fails(t, "Links.DeleteWithCredentials unavailable", c.Links.DeleteWithCredentials(ctx, "link-404", pscCreds), hvc.ErrOperationUnavailable)
	}
	if hasSync {
		_, err = c.SyncProviders.Get(ctx, id1, "nope")
		a.fails(t, "SyncProviders.Get missing", err, hvc.ErrNotFound)
		a.fails(t, "SyncProviders.Start missing link", c.SyncProviders.Start(ctx, "link-404", "identity", nil), hvc.ErrNotFound)
		a.fails(t, "SyncProviders.Start busy", c.SyncProviders.Start(ctx, id2, "identity", nil), hvc.ErrResourceBusy)
		pinfo, err := c.SyncProviders.Wait(ctx, id2, "identity", fast)
		a.ok(t, "SyncProviders.Wait running", err, pinfo)
		_, err = c.SyncProviders.StartAndWait(ctx, id1, "doomed", nil, fast)
		a.fails(t, "SyncProviders.StartAndWait failing provider", err, new(*hvc.SyncFailedError))
	}
	a.fails(t, "Links.Delete missing", c.Links.Delete(ctx, "link-404"), hvc.ErrNotFound)

	// Local validation: each call holds a password and sends nothing.
	before := len(sim.Requests())
	noDomain := auditSpec("", simulator.DefaultForeignThumbprint)
	badPort := auditSpec("v.local", "")
	badPort.Port = "99999"
	badThumb := auditSpec("v.local", "not-a-thumbprint")
	emptyGroup := auditSpec("v.local", "")
	emptyGroup.AdminGroups = []string{" "}
	for _, s := range []hvc.LinkCreateSpec{noDomain, badPort, badThumb, emptyGroup} {
		_, err = c.Links.Create(ctx, s)
		a.fails(t, "Links.Create invalid "+s.DomainName+s.Port, err, hvc.ErrInvalidArgument)
	}
	_, err = c.Links.CreateTrusting(ctx, auditSpec("v.local", ""), nil)
	a.fails(t, "Links.CreateTrusting nil trust", err, hvc.ErrInvalidArgument)
	noUser := hvc.Credentials{Password: auditPSCPW}
	a.fails(t, "Links.DeleteWithCredentials no user", c.Links.DeleteWithCredentials(ctx, id1, noUser), hvc.ErrInvalidArgument)
	a.fails(t, "Links.DeleteWithCredentials no link", c.Links.DeleteWithCredentials(ctx, " ", pscCreds), hvc.ErrInvalidArgument)
	a.fails(t, "SyncProviders.Start no user", c.SyncProviders.Start(ctx, id1, "identity", &hvc.Credentials{Password: auditSyncPW}), hvc.ErrInvalidArgument)
	a.fails(t, "SyncProviders.Start dot id", c.SyncProviders.Start(ctx, id1, "..", syncCreds), hvc.ErrInvalidArgument)
	a.fails(t, "Administrators.Add empty", c.Administrators.Add(ctx, ""), hvc.ErrInvalidArgument)
	require.Len(t, sim.Requests(), before, "local validation must send nothing")

	// Faults whose bodies echo the secrets the call knows: the client's
	// password, its session id and the password in the request.
	sid := c.SessionID()
	a.sessionID(sid)
	echoes := []struct {
		name  string
		fault simulator.Fault
		call  func() error
		want  any
		op    string // the operation the fault needs the release to have
	}{
		{"std error echoing the spec password", simulator.Fault{Method: http.MethodPost, Path: "/hvc/links",
			Body: echoError(run.legacy, "INVALID_ARGUMENT", auditPSCPW+" "+auditAdminPW+" "+sid), Status: 400},
			func() error {
				_, err := c.Links.Create(ctx, auditSpec("echo.local", simulator.DefaultForeignThumbprint))
				return err
			}, hvc.ErrInvalidArgument, ""},
		{"std error echoing the delete credentials", simulator.Fault{Method: http.MethodPost, Path: "/hvc/links/*",
			Body: echoError(run.legacy, "UNAUTHORIZED", auditPSCPW+" "+sid), Status: 403},
			func() error { return c.Links.DeleteWithCredentials(ctx, id2, pscCreds) }, hvc.ErrUnauthorized, "Links.DeleteWithCredentials"},
		{"std error echoing the sync credentials", simulator.Fault{Method: http.MethodPost, Path: "/hvc/links/*/sync/providers/*",
			Body: echoError(run.legacy, "ERROR", auditSyncPW+" "+auditAdminPW+" "+sid)},
			func() error { return c.SyncProviders.Start(ctx, id1, "identity", syncCreds) }, hvc.ErrGeneric, "SyncProviders.Start"},
		{"proxy page echoing password and session", simulator.Fault{Method: http.MethodGet, Path: "/hvc/links",
			Body: []byte("<html><body>503 upstream: user " + auditUser + " password " + auditAdminPW +
				" session " + sid + "</body></html>"), ContentType: "text/html", Status: 503},
			func() error { _, err := c.Links.List(ctx); return err }, hvc.ErrServiceUnavailable, ""},
		{"undecodable 200 echoing password and session", simulator.Fault{Method: http.MethodGet, Path: "/hvc/links/*",
			Body: []byte("session=" + sid + "; password=" + auditAdminPW + " <not json>"), Status: 200},
			func() error { _, err := c.Links.Get(ctx, id1); return err }, new(*hvc.DecodeError), "Links.Get"},
		{"undecodable date-time echoing the password", simulator.Fault{Method: http.MethodGet, Path: "/hvc/links/*/sync/providers/*",
			Body: providerEcho(run.legacy, auditAdminPW), Status: 200},
			func() error { _, err := c.SyncProviders.Get(ctx, id1, "identity"); return err }, new(*hvc.DecodeError), "SyncProviders.Get"},
		{"dropped connection after a create", simulator.Fault{Method: http.MethodPost, Path: "/hvc/links", Drop: true},
			func() error {
				_, err := c.Links.Create(ctx, auditSpec("drop.local", simulator.DefaultForeignThumbprint))
				return err
			}, hvc.ErrOutcomeUnknown, ""},
		{"deadline while waiting for an answer", simulator.Fault{Method: http.MethodGet, Path: "/hvc/links", Latency: 10 * time.Second},
			func() error {
				dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
				defer cancel()
				_, err := c.Links.List(dctx)
				return err
			}, context.DeadlineExceeded, ""},
		{"canceled start with credentials", simulator.Fault{Method: http.MethodPost, Path: "/hvc/links/*/sync/providers/*", Latency: 10 * time.Second},
			func() error {
				cctx, cancel := context.WithCancel(ctx)
				time.AfterFunc(30*time.Millisecond, cancel)
				return c.SyncProviders.Start(cctx, id1, "identity", syncCreds)
			}, context.Canceled, "SyncProviders.Start"},
	}
	for _, e := range echoes {
		if e.op != "" && !sim.Serves(e.op) {
			continue
		}
		e.fault.Times = 1
		remove := mustFault(t, sim, e.fault)
		a.fails(t, e.name, e.call(), e.want)
		remove()
	}

	// A success body holding secrets the call does not know, under member
	// names that say so: the log masks them by name, the result drops them.
	unknown := map[string]any{"connection_health_status": "HEALTHY", "password": auditWrongPW,
		"nested": map[string]any{"session_token": auditWrongPW, "list": []any{map[string]any{"Secret": auditWrongPW}, map[string]any{"key": "password", "value": auditWrongPW}}}}
	var result any = unknown
	if run.legacy {
		result = map[string]any{"value": unknown}
	}
	body, err := json.Marshal(result)
	require.NoError(t, err)
	if hasGet {
		remove := mustFault(t, sim, simulator.Fault{Method: http.MethodGet, Path: "/hvc/links/*", Body: body, Status: 200, Times: 1})
		info, err = c.Links.Get(ctx, id1)
		remove()
		a.ok(t, "Links.Get with secret members", err, info)
	} else {
		unknown["link"], unknown["display_name"] = id1, "one.local"
		result = []any{unknown}
		if run.legacy {
			result = map[string]any{"value": []any{unknown}}
		}
		body, err = json.Marshal(result)
		require.NoError(t, err)
		remove := mustFault(t, sim, simulator.Fault{Method: http.MethodGet, Path: "/hvc/links", Body: body, Status: 200, Times: 1})
		links, err = c.Links.List(ctx)
		remove()
		a.ok(t, "Links.List with secret members", err, links)
	}

	// Session expiry: the client logs in again; every id it held is a secret.
	sim.ExpireSessions()
	links, err = c.Links.List(ctx)
	a.ok(t, "Links.List after expiry", err, links)
	require.NotEqual(t, sid, c.SessionID())
	a.sessionID(c.SessionID())
	a.ok(t, "Login again", c.Login(ctx))
	a.sessionID(c.SessionID())

	// A client that reuses the session id, pinned to the simulator itself.
	sidClient := newClient(sim.URL(), hvc.WithSessionID(c.SessionID()), hvc.WithThumbprint(sim.Thumbprint()))
	a.fails(t, "Login without credentials", sidClient.Login(ctx), hvc.ErrNoCredentials)
	links, err = sidClient.Links.List(ctx)
	a.ok(t, "session client Links.List", err, links)
	remove := mustFault(t, sim, simulator.Fault{Method: http.MethodGet, Path: "/hvc/links", Status: 401, Times: 1, ContentType: "text/plain",
		Body: []byte("session " + sidClient.SessionID() + " expired")})
	_, err = sidClient.Links.List(ctx)
	remove()
	a.fails(t, "session client echoed expiry", err, hvc.ErrUnauthenticated)
	sim.ExpireSessions()
	_, err = sidClient.Links.List(ctx)
	a.fails(t, "session client expired", err, new(*hvc.UnauthenticatedError))
	a.value("session client", sidClient)

	// Wrong password, plainly refused and with the password echoed back.
	wrong := newClient(front.URL, hvc.WithCredentials(auditUser, auditWrongPW), trust)
	a.fails(t, "Login wrong password", wrong.Login(ctx), new(*hvc.UnauthenticatedError))
	remove = mustFault(t, sim, simulator.Fault{Method: http.MethodPost, Path: sessionPath, Times: 1,
		Body: echoError(run.legacy, "UNAUTHENTICATED", "bad password "+auditWrongPW), Status: 401})
	_, err = wrong.Links.List(ctx)
	remove()
	a.fails(t, "lazy login wrong password echoed", err, hvc.ErrUnauthenticated)
	a.value("wrong-password client", wrong)

	// A login that misses its deadline.
	slow := newClient(front.URL, hvc.WithCredentials(auditUser, auditAdminPW), trust)
	remove = mustFault(t, sim, simulator.Fault{Method: http.MethodPost, Path: sessionPath, Latency: 300 * time.Millisecond, Times: 1})
	dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	a.fails(t, "Login deadline", slow.Login(dctx), context.DeadlineExceeded)
	cancel()
	remove()
	// The login runs on without the caller: join it before reading the log.
	a.ok(t, "Login after a login deadline", slow.Login(ctx))
	a.sessionID(slow.SessionID())
	a.ok(t, "Logout after a login deadline", slow.Logout(ctx))

	// A pin the server does not match: nothing is sent.
	pinned := newClient(sim.URL(), hvc.WithCredentials(auditUser, auditAdminPW), hvc.WithThumbprint(simulator.DefaultForeignThumbprint))
	a.fails(t, "Login wrong pin", pinned.Login(ctx), new(*hvc.CertificateMismatchError))

	// Cleanup paths: deletes, a logout the server fails echoing the
	// session id, and the real logouts.
	if hasGet {
		a.ok(t, "Links.DeleteWithCredentials", c.Links.DeleteWithCredentials(ctx, id2, pscCreds))
	} else {
		a.ok(t, "Links.Delete second", c.Links.Delete(ctx, id2))
	}
	a.ok(t, "Links.Delete", c.Links.Delete(ctx, id1))
	sid = c.SessionID()
	a.sessionID(sid)
	remove = mustFault(t, sim, simulator.Fault{Method: http.MethodDelete, Path: sessionPath, Times: 1,
		Body: echoError(run.legacy, "ERROR", "cannot close session "+sid)})
	a.fails(t, "Logout echoing the session", c.Logout(ctx), hvc.ErrGeneric)
	remove()
	a.ok(t, "Login after failed logout", c.Login(ctx))
	a.sessionID(c.SessionID())
	a.ok(t, "Logout", c.Logout(ctx))
	a.ok(t, "Logout twice", c.Logout(ctx))
	a.ok(t, "session client Logout", sidClient.Logout(ctx))
	a.ok(t, "wrong-password client Logout", wrong.Logout(ctx))
	a.value("client after logout", c)
	a.value("simulator requests", sim.Requests())

	wire, issued := tap.wire()
	logText := logBuf.String()
	a.add("debug log", logText)

	// The secrets went over the wire (the passwords in JSON bodies, the
	// logins' in Basic credentials), so the audit means something.
	secrets := []auditSecret{
		newAuditSecret("admin password", auditAdminPW),
		newAuditSecret("wrong password", auditWrongPW),
		newAuditSecret("foreign PSC password", auditPSCPW),
		newAuditSecret("sync credentials password", auditSyncPW),
		newAuditSecret("admin Basic credentials", strings.TrimPrefix(basicAuth(auditUser, auditAdminPW), "Basic ")),
		newAuditSecret("wrong Basic credentials", strings.TrimPrefix(basicAuth(auditUser, auditWrongPW), "Basic ")),
	}
	for _, sec := range secrets[2:] {
		_, sent := sec.foundIn(wire)
		assert.True(t, sent, "%s was never sent: the audit would prove nothing", sec.name)
	}
	require.GreaterOrEqual(t, len(a.session), 4, "the client held too few sessions")
	for _, id := range a.session {
		assert.Contains(t, issued, id, "a session id the client held was not issued by a login")
	}
	for i, id := range issued {
		sec := newAuditSecret("session id "+strconv.Itoa(i), id)
		if slices.Contains(a.session, id) {
			_, sent := sec.foundIn(wire)
			assert.True(t, sent, "session id %d was never sent", i)
		}
		secrets = append(secrets, sec)
	}

	// The debug log is on and records what it promises.
	require.NotEmpty(t, logText)
	prefix := "/api"
	if run.legacy {
		prefix = "/rest"
	}
	for _, want := range []string{"POST", "GET", "DELETE", "PUT", prefix + "/hvc/links", prefix + "/hvc/management/administrators",
		"request_body", "response_body", simulator.DefaultForeignPSC, "[REDACTED]"} {
		assert.Contains(t, logText, want, "the debug log lacks %q", want)
	}
	assert.Regexp(t, `password[^,]{0,8}\[REDACTED\]`, logText, "the debug log shows no request body with the password replaced")

	// Nothing shows a secret.
	leaks := reportLeaks(t, a.strs, secrets)
	t.Logf("%s: %d operations, %d strings, %d log bytes, %d session ids, %d secrets, %d leaks",
		run.name, a.ops, len(a.strs), len(logText), len(issued), len(secrets), leaks)
}

// TestSecretsAuditMatcher checks the audit's matcher: it finds a secret in
// every spelling a formatter or log handler gives it, so a clean audit is
// not a blind one.
func TestSecretsAuditMatcher(t *testing.T) {
	t.Parallel()
	sec := newAuditSecret("password", auditAdminPW)
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "pw", auditAdminPW, "body", `{"password":`+strconv.Quote(auditAdminPW)+`}`)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "pw", auditAdminPW, "bytes", []byte(auditAdminPW))
	b, err := json.Marshal(map[string]string{"password": auditAdminPW})
	require.NoError(t, err)
	cases := map[string]string{
		"plain":          "x " + auditAdminPW + " y",
		"%q":             fmt.Sprintf("%q", auditAdminPW),
		"%#v struct":     fmt.Sprintf("%#v", struct{ P string }{auditAdminPW}),
		"%v bytes":       fmt.Sprintf("%v", []byte(auditAdminPW)),
		"%#v bytes":      fmt.Sprintf("%#v", json.RawMessage(auditAdminPW)),
		"json":           string(b),
		"text log":       text.String(),
		"json log":       js.String(),
		"cut at the end": "body: " + auditAdminPW[:20] + "…",
		"html entities":  "pw " + strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;", `"`, "&quot;").Replace(auditAdminPW),
		"query":          "?p=" + url.QueryEscape(auditAdminPW),
		"base64":         base64.StdEncoding.EncodeToString([]byte(auditAdminPW)),
	}
	for name, s := range cases {
		_, found := sec.foundIn(s)
		assert.True(t, found, "%s: %s", name, s)
	}
	_, found := sec.foundIn("hvc: POST /api/hvc/links: 400 INVALID_ARGUMENT: rejected: [REDACTED]")
	assert.False(t, found)
}

// TestSecretsInvalidEndpoint: an endpoint carrying credentials is refused
// without quoting them, whether or not the rest of it parses.
func TestSecretsInvalidEndpoint(t *testing.T) {
	t.Parallel()
	core := auditCore(auditAdminPW)
	sec := newAuditSecret("password", core)
	for _, endpoint := range []string{
		"https://admin:" + core + "@vc.example",
		"https://admin:" + core + "@vc.example:badport",
		"https://admin:" + core + "@vc.example/%zz",
		"https://admin:" + url.QueryEscape(auditAdminPW) + "@vc.example:0x1",
		"https://admin:" + core + "@vc.example/path",
		"ftp://admin:" + core + "@vc.example",
	} {
		_, err := hvc.New(endpoint, hvc.WithCredentials(auditUser, auditAdminPW))
		require.Error(t, err, endpoint)
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if form, leaked := sec.foundIn(s); leaked {
				t.Errorf("hvc.New(%q) error leaks the password as %q: %s", endpoint, form, s)
			}
		}
	}
}
