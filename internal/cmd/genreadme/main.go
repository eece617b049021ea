// Command genreadme writes the operations table of README.md from the one
// table of operations in internal/ops, between the markers
// <!-- ops:begin --> and <!-- ops:end -->. With -check it changes nothing and
// fails when the README's table differs from what it would write.
//
//	go run ./internal/cmd/genreadme          # rewrite README.md (make readme)
//	go run ./internal/cmd/genreadme -check   # verify it (make check)
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
)

const (
	begin = "<!-- ops:begin -->"
	end   = "<!-- ops:end -->"
)

func main() {
	check := flag.Bool("check", false, "fail if the README table is out of date instead of rewriting it")
	path := flag.String("readme", "README.md", "the README to rewrite or check")
	flag.Parse()
	if err := run(*path, *check); err != nil {
		fmt.Fprintln(os.Stderr, "genreadme:", err)
		os.Exit(1)
	}
}

func run(path string, check bool) error {
	old, err := os.ReadFile(path) //nolint:gosec // G304: the README named by the command's own flag
	if err != nil {
		return err
	}
	updated, err := replace(old, table(ops.All))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if bytes.Equal(old, updated) {
		return nil
	}
	if check {
		return fmt.Errorf("%s: the operations table differs from internal/ops; run `make readme` and commit", path)
	}
	return os.WriteFile(path, updated, 0o644) //nolint:gosec // README.md is a public, committed file
}

// replace puts body between the markers of doc.
func replace(doc, body []byte) ([]byte, error) {
	i := bytes.Index(doc, []byte(begin))
	j := bytes.Index(doc, []byte(end))
	if i < 0 || j < i || bytes.Count(doc, []byte(begin)) != 1 || bytes.Count(doc, []byte(end)) != 1 {
		return nil, errors.New("need exactly one " + begin + " followed by one " + end)
	}
	var out bytes.Buffer
	out.Write(doc[:i+len(begin)])
	out.WriteByte('\n')
	out.Write(body)
	out.Write(doc[j:])
	return out.Bytes(), nil
}

// table renders the operations as a Markdown table.
func table(all []*ops.Op) []byte {
	var b bytes.Buffer
	b.WriteString("<!-- Generated from internal/ops by `make readme`; do not edit by hand. -->\n")
	b.WriteString("| Go method | Request (path after `/api` or `/rest`) | Retried under `WithRetry` | Served by |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, op := range all {
		retried := "never (not idempotent)"
		if op.Idempotent {
			retried = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", op.Name, op.Display(), retried, strings.TrimPrefix(op.Versions(), "vSphere "))
	}
	return b.Bytes()
}
