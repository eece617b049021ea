package hvc_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/internal/ops"
)

// declaredLine matches a doc comment's "Declared errors: *AError, *BError."
// up to the end of its sentence.
var (
	declaredLine = regexp.MustCompile(`(?s)Declared\s+errors:(.*?)\.(\s|$)`)
	errorName    = regexp.MustCompile(`\*(\w+Error)\b`)
)

// TestOperationsDocDeclaredErrors: the "Declared errors:" line of each
// operation's method doc comment names exactly the typed errors of the
// operation's ops.Op.Errors (ERROR as *GenericError), so the comment cannot
// drift from the table.
func TestOperationsDocDeclaredErrors(t *testing.T) {
	t.Parallel()
	typeName := map[string]string{} // error_type → Go type name
	for _, k := range hvc.ErrorKinds() {
		typeName[string(k.Type)] = k.Named.Elem().Name()
	}
	docs := methodDocs(t)
	for _, op := range ops.All {
		t.Run(op.Name, func(t *testing.T) {
			t.Parallel()
			doc, ok := docs[op.Name]
			require.True(t, ok, "no method %s found in the package source", op.Name)
			m := declaredLine.FindStringSubmatch(doc)
			require.NotNil(t, m, "%s's doc comment has no \"Declared errors:\" sentence", op.Name)
			var got []string
			for _, n := range errorName.FindAllStringSubmatch(m[1], -1) {
				got = append(got, n[1])
			}
			var want []string
			for _, e := range op.Errors {
				name, ok := typeName[e]
				require.True(t, ok, "table error %s has no Go type", e)
				want = append(want, name)
			}
			slices.Sort(got)
			slices.Sort(want)
			assert.Equal(t, want, got, "%s: doc comment's declared errors vs ops.%s.Errors", op.Name, strings.ReplaceAll(op.Name, ".", ""))
		})
	}
}

// methodDocs returns the doc comment of every method of a *XService type in
// the package's non-test files, keyed "X.Method".
func methodDocs(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Doc == nil || len(fn.Recv.List) != 1 {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			id, ok := star.X.(*ast.Ident)
			if !ok || !strings.HasSuffix(id.Name, "Service") {
				continue
			}
			out[strings.TrimSuffix(id.Name, "Service")+"."+fn.Name.Name] = fn.Doc.Text()
		}
	}
	return out
}
