package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// exitConstants reads the exit* constants of errors.go: the documented
// exit codes, from their one definition.
func exitConstants(t *testing.T) map[string]int {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, n := range v.Names {
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !strings.HasPrefix(n.Name, "exit") || !ok {
					continue
				}
				code, err := strconv.Atoi(lit.Value)
				if err != nil {
					t.Fatalf("%s = %s", n.Name, lit.Value)
				}
				out[n.Name] = code
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("found only %v", out)
	}
	return out
}

// TestExitCodesDocumented: every exit code hvcctl defines is in the
// README's exit-code table, in the root README's list of contracts and in
// hvcctl --help, and none of them lists a code hvcctl does not define.
func TestExitCodesDocumented(t *testing.T) {
	t.Parallel()
	var codes []int
	for _, c := range exitConstants(t) {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	read := func(path string) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	table := regexp.MustCompile(`(?m)^\| (\d+) \|`)
	var inTable []int
	for _, m := range table.FindAllStringSubmatch(read("README.md"), -1) {
		n, _ := strconv.Atoi(m[1])
		inTable = append(inTable, n)
	}
	if !slices.Equal(inTable, codes) {
		t.Errorf("README.md exit-code table lists %v, errors.go defines %v", inTable, codes)
	}
	root := read("../../README.md")
	_, contract, _ := strings.Cut(root, "its exit codes (")
	contract, _, _ = strings.Cut(contract, ");")
	help := (&app{}).newRoot().Long
	_, help, _ = strings.Cut(help, "Exit codes:")
	for _, doc := range []struct{ name, text string }{{"the root README's contract", contract}, {"hvcctl --help", help}} {
		var listed []int
		for _, m := range regexp.MustCompile(`(?:^|[\s,(])(\d+)\s+[a-z]`).FindAllStringSubmatch(doc.text, -1) {
			n, _ := strconv.Atoi(m[1])
			listed = append(listed, n)
		}
		if !slices.Equal(listed, codes) {
			t.Errorf("%s lists %v, errors.go defines %v:\n%s", doc.name, listed, codes, doc.text)
		}
	}
}
