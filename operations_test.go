package hvc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/simulator"
)

// opCase is one row of the tests' table of operations: the operation's
// facts come from internal/ops (method, template, action, idempotency,
// secrets, declared errors, versions); the row adds how to call it.
type opCase struct {
	op *ops.Op
	// call invokes the operation with link and provider ids (ignored by
	// operations without them), sending a password whenever op.Secrets.
	call func(ctx context.Context, c *hvc.Client, link, provider string) error
}

// path fills the row's template with link and provider.
func (tc opCase) path(t *testing.T, link, provider string) string {
	t.Helper()
	args := []string{link, provider}[:len(tc.op.Params())]
	p, err := tc.op.Path(args...)
	require.NoError(t, err)
	return p
}

// declared are the error types the operation declares (ops.Op.Errors)
// besides the runtime-level ones every operation may return.
func (tc opCase) declared() []hvc.ErrorType {
	out := make([]hvc.ErrorType, len(tc.op.Errors))
	for i, e := range tc.op.Errors {
		out[i] = hvc.ErrorType(e)
	}
	return out
}

// name is the subtest name.
func (tc opCase) name() string { return tc.op.Name }

// tableSecret is the password every row that can send one sends.
const tableSecret = "t4ble-Secr3t"

var tableCreds = hvc.Credentials{UserName: "admin@foreign.local", Password: tableSecret}

func tableSpec() hvc.LinkCreateSpec {
	s := fullSpec()
	s.Password = tableSecret
	return s
}

// operations is every public operation, one row each, in ops.All's order.
// TestOperationsTableComplete fails when a service method has no row.
var operations = []opCase{
	{ops.LinksCreate,
		func(ctx context.Context, c *hvc.Client, _, _ string) error {
			_, err := c.Links.Create(ctx, tableSpec())
			return err
		}},
	{ops.LinksList,
		func(ctx context.Context, c *hvc.Client, _, _ string) error { _, err := c.Links.List(ctx); return err }},
	{ops.LinksGet,
		func(ctx context.Context, c *hvc.Client, l, _ string) error { _, err := c.Links.Get(ctx, l); return err }},
	{ops.LinksDelete,
		func(ctx context.Context, c *hvc.Client, l, _ string) error { return c.Links.Delete(ctx, l) }},
	{ops.LinksDeleteWithCredentials,
		func(ctx context.Context, c *hvc.Client, l, _ string) error {
			return c.Links.DeleteWithCredentials(ctx, l, tableCreds)
		}},
	{ops.SyncReset,
		func(ctx context.Context, c *hvc.Client, l, _ string) error { return c.Sync.Reset(ctx, l) }},
	{ops.SyncProvidersList,
		func(ctx context.Context, c *hvc.Client, l, _ string) error {
			_, err := c.SyncProviders.List(ctx, l)
			return err
		}},
	{ops.SyncProvidersGet,
		func(ctx context.Context, c *hvc.Client, l, p string) error {
			_, err := c.SyncProviders.Get(ctx, l, p)
			return err
		}},
	{ops.SyncProvidersStart,
		func(ctx context.Context, c *hvc.Client, l, p string) error {
			creds := tableCreds
			return c.SyncProviders.Start(ctx, l, p, &creds)
		}},
	{ops.AdministratorsGet,
		func(ctx context.Context, c *hvc.Client, _, _ string) error {
			_, err := c.Administrators.Get(ctx)
			return err
		}},
	{ops.AdministratorsSet,
		func(ctx context.Context, c *hvc.Client, _, _ string) error {
			return c.Administrators.Set(ctx, []string{"a@d"})
		}},
	{ops.AdministratorsAdd,
		func(ctx context.Context, c *hvc.Client, _, _ string) error { return c.Administrators.Add(ctx, "a@d") }},
	{ops.AdministratorsRemove,
		func(ctx context.Context, c *hvc.Client, _, _ string) error {
			return c.Administrators.Remove(ctx, "a@d")
		}},
}

// composites are exported service methods that are not operations of
// their own: they call the operations listed.
var composites = map[string][]*ops.Op{
	"Links.CreateTrusting":       {ops.LinksCreate},
	"SyncProviders.Wait":         {ops.SyncProvidersGet},
	"SyncProviders.StartAndWait": {ops.SyncProvidersStart, ops.SyncProvidersGet},
}

// runtimeErrors are the errors any operation may return besides its
// declared ones (a missing session, runtime failures).
var runtimeErrors = []hvc.ErrorType{hvc.ErrorTypeInternalServerError, hvc.ErrorTypeInvalidArgument,
	hvc.ErrorTypeOperationNotFound, hvc.ErrorTypeUnexpectedInput, hvc.ErrorTypeServiceUnavailable,
	hvc.ErrorTypeTimedOut, hvc.ErrorTypeUnauthenticated}

// TestOperationsTableComplete: every exported method of every service has
// a row in operations (or is a composite of rows), every row is in ops.All
// and the two lists agree in order, so a new operation cannot be left out
// of the tests that iterate the table.
func TestOperationsTableComplete(t *testing.T) {
	t.Parallel()
	c, err := hvc.New("https://vc.example")
	require.NoError(t, err)
	rows := map[string]bool{}
	for i, tc := range operations {
		require.Less(t, i, len(ops.All))
		assert.Same(t, ops.All[i], tc.op, "row %d is not ops.All[%d]", i, i)
		rows[tc.op.Name] = true
	}
	assert.Len(t, operations, len(ops.All))

	services := reflect.ValueOf(c).Elem()
	seen := 0
	for i := range services.NumField() {
		f := services.Type().Field(i)
		if !f.IsExported() || !strings.HasSuffix(f.Type.String(), "Service") {
			continue
		}
		typ := services.Field(i).Type()
		for m := range typ.NumMethod() {
			name := f.Name + "." + typ.Method(m).Name
			seen++
			if _, ok := composites[name]; ok {
				continue
			}
			assert.True(t, rows[name], "exported method %s has no row in the operations table (internal/ops and operations_test.go)", name)
		}
	}
	assert.Equal(t, len(ops.All)+len(composites), seen, "service methods: operations plus composites")
	for _, op := range ops.All {
		assert.True(t, slices.ContainsFunc(wireCases(), func(w wireCase) bool {
			return w.name == op.Name || strings.HasPrefix(w.name, op.Name+"/")
		}), "%s has no wire-shape case in wireCases", op.Name)
	}
	for name, used := range composites {
		for _, op := range used {
			assert.True(t, slices.Contains(ops.All, op), "%s uses an operation outside the table", name)
		}
	}
}

// releaseFor is a vSphere release that serves op: the simulator's default
// when it does, else the first release that does.
func releaseFor(op *ops.Op) string {
	if op == nil || op.In(ops.R80) {
		return simulator.DefaultVersion
	}
	return op.Since.String()
}

// simWithLinkFor starts a simulator of a release that serves op, creates
// a link as the administrator and returns it with the link's id (and an
// empty request log); the operations on it then succeed.
func simWithLinkFor(t *testing.T, op *ops.Op, opts ...hvc.Option) (*simulator.Server, *hvc.Client, string) {
	t.Helper()
	sim, c := simClient(t, []simulator.Option{simulator.WithVersion(releaseFor(op))}, opts...)
	spec := foreignSpec("table.local")
	spec.SSLThumbprint = simulator.DefaultForeignThumbprint
	id, err := c.Links.Create(context.Background(), spec)
	require.NoError(t, err)
	sim.ResetRequests()
	return sim, c, id
}

// requestsFor counts the simulator's recorded requests of one operation.
func requestsFor(sim *simulator.Server, op *ops.Op, path string) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Method == op.Method && strings.HasSuffix(r.Path, path) && r.RawQuery == op.Query() {
			n++
		}
	}
	return n
}

// TestOperationsReadOnlyUser: on the simulator, a read-only user reads with
// every GET operation and gets 403 UNAUTHORIZED from every other one.
func TestOperationsReadOnlyUser(t *testing.T) {
	t.Parallel()
	for _, tc := range operations {
		sim, _, link := simWithLinkFor(t, tc.op)
		ro, err := hvc.New(sim.URL(), hvc.WithCredentials(simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword),
			hvc.WithRootCAs(sim.CertPool()))
		require.NoError(t, err)
		t.Run(tc.name(), func(t *testing.T) {
			t.Parallel()
			err := tc.call(context.Background(), ro, link, simulator.DefaultProviders[0])
			if tc.op.Method == "GET" {
				require.NoError(t, err)
				return
			}
			var unauth *hvc.UnauthorizedError
			require.ErrorAs(t, err, &unauth)
			assert.Equal(t, 403, unauth.StatusCode)
			assert.Equal(t, tc.op.Method, unauth.Method)
			assert.NotContains(t, err.Error(), tableSecret)
		})
	}
}

// TestOperationsUnauthenticated: a client with neither credentials nor a
// session gets 401 UNAUTHENTICATED from every operation, sent once.
func TestOperationsUnauthenticated(t *testing.T) {
	t.Parallel()
	for _, tc := range operations {
		sim, _, link := simWithLinkFor(t, tc.op)
		anon, err := hvc.New(sim.URL(), hvc.WithRootCAs(sim.CertPool()), hvc.WithFlavor(hvc.FlavorAPI))
		require.NoError(t, err)
		t.Run(tc.name(), func(t *testing.T) {
			t.Parallel() // every call is refused, so none changes what another counts
			err := tc.call(context.Background(), anon, link, simulator.DefaultProviders[0])
			var unauthn *hvc.UnauthenticatedError
			require.ErrorAs(t, err, &unauthn)
			assert.Equal(t, 401, unauthn.StatusCode)
			assert.Equal(t, 1, requestsFor(sim, tc.op, tc.path(t, link, simulator.DefaultProviders[0])))
		})
	}
}

// TestOperationsDroppedConnection: with retries on, an operation whose
// connection drops once is retried to success when it is idempotent, and
// otherwise sent exactly once and reported as outcome unknown.
func TestOperationsDroppedConnection(t *testing.T) {
	t.Parallel()
	for _, tc := range operations {
		t.Run(tc.name(), func(t *testing.T) {
			t.Parallel()
			sim, c, link := simWithLinkFor(t, tc.op, hvc.WithRetry(hvc.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}))
			provider := simulator.DefaultProviders[0]
			path := tc.path(t, link, provider)
			mustFault(t, sim, simulator.Fault{Method: tc.op.Method, Path: path, Action: tc.op.Action, Drop: true, Times: 1})
			err := tc.call(context.Background(), c, link, provider)
			if tc.op.Idempotent {
				require.NoError(t, err)
				assert.Equal(t, 2, requestsFor(sim, tc.op, path), "dropped once, then retried")
				return
			}
			require.ErrorIs(t, err, hvc.ErrOutcomeUnknown)
			var te *hvc.TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tc.op.Name, te.Op, "every error names its operation")
			assert.Equal(t, 1, requestsFor(sim, tc.op, path), "a POST is never resent")
			assert.NotContains(t, err.Error(), tableSecret)
		})
	}
}

// TestOperationsEchoSecrets: every operation, in both flavors, fails with a
// server error that echoes the client's password, the session id and the
// password the operation sent (as message text, message id, args, params
// keys and values at any depth, format, data), and none of them shows in
// anything a user can print or marshal: Error(), %+v, %#v, json.Marshal of
// the error and of its messages, or the debug log.
func TestOperationsEchoSecrets(t *testing.T) {
	t.Parallel()
	for _, tc := range operations {
		for _, fl := range flavors {
			t.Run(tc.name()+"/"+fl.name, func(t *testing.T) {
				t.Parallel()
				var logBuf bytes.Buffer
				logger := slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
				sim, c, link := simWithLinkFor(t, tc.op, hvc.WithFlavor(fl.flavor), hvc.WithLogger(logger))
				provider := simulator.DefaultProviders[0]
				sid := c.SessionID()
				require.NotEmpty(t, sid)
				secrets := []string{simulator.DefaultAdminPassword, sid}
				if tc.op.Secrets {
					secrets = append(secrets, tableSecret)
				}
				echo := echoError(fl.legacy, "INVALID_ARGUMENT", strings.Join(secrets, " "))
				mustFault(t, sim, simulator.Fault{Method: tc.op.Method, Path: tc.op.Template, Action: tc.op.Action,
					Status: 400, Body: echo})

				err := tc.call(context.Background(), c, link, provider)
				require.ErrorIs(t, err, hvc.ErrInvalidArgument)
				var std *hvc.StdError
				require.ErrorAs(t, err, &std)
				shown := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), logBuf.String()}
				for _, v := range []any{err, std.Messages, std.Data} {
					b, merr := json.Marshal(v)
					require.NoError(t, merr)
					shown = append(shown, string(b))
				}
				assert.Contains(t, shown[1], "com.example.nested", "%+v shows the message ids")
				// The operation's name (e.g. "Administrators.Get") is in
				// every error; it is not secret, though it holds the
				// escape-proof core of the simulator's password "Admin!23".
				for i := range shown {
					shown[i] = strings.ReplaceAll(shown[i], tc.op.Name, "<op>")
				}
				for _, s := range secrets {
					for _, sp := range spellings(s) {
						for i, out := range shown {
							assert.NotContains(t, out, sp, "output %d shows a secret", i)
						}
					}
				}
			})
		}
	}
}
