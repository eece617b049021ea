package hvc_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/internal/ops"
)

// opCase is one row of the tests' table of operations: the operation's
// facts come from internal/ops (method, template, action, idempotency,
// secrets, versions); the row adds how to call it and what it declares.
type opCase struct {
	op *ops.Op
	// declared are the error types the operation declares besides the
	// runtime-level ones every operation may return.
	declared []hvc.ErrorType
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
	{ops.LinksCreate, []hvc.ErrorType{hvc.ErrorTypeAlreadyExists, hvc.ErrorTypeInvalidArgument, hvc.ErrorTypeUnsupported,
		hvc.ErrorTypeUnauthorized, hvc.ErrorTypeUnverifiedPeer, hvc.ErrorTypeError},
		func(ctx context.Context, c *hvc.Client, _, _ string) error {
			_, err := c.Links.Create(ctx, tableSpec())
			return err
		}},
	{ops.LinksList, []hvc.ErrorType{hvc.ErrorTypeError},
		func(ctx context.Context, c *hvc.Client, _, _ string) error { _, err := c.Links.List(ctx); return err }},
	{ops.LinksGet, []hvc.ErrorType{hvc.ErrorTypeError, hvc.ErrorTypeNotFound, hvc.ErrorTypeUnauthorized, hvc.ErrorTypeResourceBusy},
		func(ctx context.Context, c *hvc.Client, l, _ string) error { _, err := c.Links.Get(ctx, l); return err }},
	{ops.LinksDelete, []hvc.ErrorType{hvc.ErrorTypeNotFound, hvc.ErrorTypeUnauthorized, hvc.ErrorTypeError},
		func(ctx context.Context, c *hvc.Client, l, _ string) error { return c.Links.Delete(ctx, l) }},
	{ops.LinksDeleteWithCredentials, []hvc.ErrorType{hvc.ErrorTypeNotFound, hvc.ErrorTypeUnauthorized, hvc.ErrorTypeError},
		func(ctx context.Context, c *hvc.Client, l, _ string) error {
			return c.Links.DeleteWithCredentials(ctx, l, tableCreds)
		}},
	{ops.SyncReset, []hvc.ErrorType{hvc.ErrorTypeError, hvc.ErrorTypeNotFound, hvc.ErrorTypeUnauthorized},
		func(ctx context.Context, c *hvc.Client, l, _ string) error { return c.Sync.Reset(ctx, l) }},
	{ops.SyncProvidersList, []hvc.ErrorType{hvc.ErrorTypeError, hvc.ErrorTypeUnauthorized},
		func(ctx context.Context, c *hvc.Client, l, _ string) error {
			_, err := c.SyncProviders.List(ctx, l)
			return err
		}},
	{ops.SyncProvidersGet, []hvc.ErrorType{hvc.ErrorTypeError, hvc.ErrorTypeNotFound, hvc.ErrorTypeUnauthorized},
		func(ctx context.Context, c *hvc.Client, l, p string) error {
			_, err := c.SyncProviders.Get(ctx, l, p)
			return err
		}},
	{ops.SyncProvidersStart, []hvc.ErrorType{hvc.ErrorTypeError, hvc.ErrorTypeNotFound, hvc.ErrorTypeUnauthorized, hvc.ErrorTypeResourceBusy},
		func(ctx context.Context, c *hvc.Client, l, p string) error {
			creds := tableCreds
			return c.SyncProviders.Start(ctx, l, p, &creds)
		}},
	{ops.AdministratorsGet, []hvc.ErrorType{hvc.ErrorTypeError},
		func(ctx context.Context, c *hvc.Client, _, _ string) error {
			_, err := c.Administrators.Get(ctx)
			return err
		}},
	{ops.AdministratorsSet, []hvc.ErrorType{hvc.ErrorTypeUnauthorized, hvc.ErrorTypeError},
		func(ctx context.Context, c *hvc.Client, _, _ string) error {
			return c.Administrators.Set(ctx, []string{"a@d"})
		}},
	{ops.AdministratorsAdd, []hvc.ErrorType{hvc.ErrorTypeUnauthorized, hvc.ErrorTypeError},
		func(ctx context.Context, c *hvc.Client, _, _ string) error { return c.Administrators.Add(ctx, "a@d") }},
	{ops.AdministratorsRemove, []hvc.ErrorType{hvc.ErrorTypeUnauthorized, hvc.ErrorTypeError},
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
	for name, used := range composites {
		for _, op := range used {
			assert.True(t, slices.Contains(ops.All, op), "%s uses an operation outside the table", name)
		}
	}
}
