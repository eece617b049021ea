// Command gendocs writes the tables of the documentation that restate the
// one table of operations in internal/ops, each between the markers
// <!-- NAME:begin --> and <!-- NAME:end --> of its file:
//
//   - README.md "ops": the operations, their requests, retries and releases;
//   - docs/wire.md "ops": every operation's vAPI id, request, idempotency,
//     declared errors with their HTTP status, and releases;
//   - docs/wire.md "versions": which operations each range of vSphere
//     releases serves, in which flavors;
//   - docs/simulator.md "profiles": the same per release, as the
//     simulator's version profiles serve it.
//
// It also checks what it cannot write: every operation has a hand-written
// row in its service's table of docs/wire.md (request body and replies),
// found by its request, e.g. `POST /hvc/links`.
//
// With -check it changes nothing and fails when a table differs from what
// it would write or a row is missing.
//
//	go run ./internal/cmd/gendocs          # rewrite the tables (make docs)
//	go run ./internal/cmd/gendocs -check   # verify them (make check)
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/stderr"
)

// section is one generated table of a document.
type section struct {
	file, name string
	render     func([]*ops.Op) []byte
}

// sections lists every generated table, grouped by file.
var sections = []section{
	{"README.md", "ops", readmeTable},
	{"docs/wire.md", "ops", wireOpsTable},
	{"docs/wire.md", "versions", versionsTable},
	{"docs/simulator.md", "profiles", profilesTable},
}

func main() {
	check := flag.Bool("check", false, "fail if a table is out of date instead of rewriting it")
	root := flag.String("root", ".", "the module root the documents are under")
	flag.Parse()
	if err := run(*root, ops.All, *check); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// run rewrites (or with check verifies) every section under root.
func run(root string, all []*ops.Op, check bool) error {
	var stale []string
	var files []string
	for _, s := range sections {
		if len(files) == 0 || files[len(files)-1] != s.file {
			files = append(files, s.file)
		}
	}
	for _, f := range files {
		path := filepath.Join(root, f)
		old, err := os.ReadFile(path) //nolint:gosec // G304: a document of this repository
		if err != nil {
			return err
		}
		updated := old
		for _, s := range sections {
			if s.file != f {
				continue
			}
			if updated, err = replace(updated, s.name, s.render(all)); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
		if f == "docs/wire.md" {
			if err := handRows(updated, all); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
		if bytes.Equal(old, updated) {
			continue
		}
		if check {
			stale = append(stale, f)
			continue
		}
		if err := os.WriteFile(path, updated, 0o644); err != nil { //nolint:gosec // committed public documents
			return err
		}
	}
	if len(stale) > 0 {
		return fmt.Errorf("%s: tables differ from internal/ops; run `make docs` and commit", strings.Join(stale, ", "))
	}
	return nil
}

// replace puts body between the markers of section name in doc.
func replace(doc []byte, name string, body []byte) ([]byte, error) {
	begin, end := []byte("<!-- "+name+":begin -->"), []byte("<!-- "+name+":end -->")
	i := bytes.Index(doc, begin)
	j := bytes.Index(doc, end)
	if i < 0 || j < i || bytes.Count(doc, begin) != 1 || bytes.Count(doc, end) != 1 {
		return nil, errors.New("need exactly one " + string(begin) + " followed by one " + string(end))
	}
	var out bytes.Buffer
	out.Write(doc[:i+len(begin)])
	out.WriteByte('\n')
	out.Write(body)
	out.Write(doc[j:])
	return out.Bytes(), nil
}

// handRows checks the hand-written service sections of docs/wire.md
// against the operations: every operation has a row in its service's
// table naming its request (e.g. `POST /hvc/links`), and a row in the
// service's "| operation | errors |" table whose error types are the
// operation's declared errors. A section's service is named by its
// "Interface `com.vmware…`" line; rows name operations by their vAPI
// operation id (its first word).
func handRows(doc []byte, all []*ops.Op) error {
	var hand strings.Builder
	declared := map[*ops.Op]string{} // the errors cell of each operation's row
	var problems []string
	in, service, errorsTable := false, "", false
	for _, line := range strings.Split(string(doc), "\n") {
		switch {
		case strings.HasPrefix(line, "<!-- ") && strings.HasSuffix(line, ":begin -->"):
			in = true
		case strings.HasPrefix(line, "<!-- ") && strings.HasSuffix(line, ":end -->"):
			in = false
		case in:
		case strings.HasPrefix(line, "### "):
			service = ""
		case strings.HasPrefix(line, "Interface `"):
			service, _, _ = strings.Cut(strings.TrimPrefix(line, "Interface `"), "`")
		case !strings.HasPrefix(line, "|"):
			errorsTable = false
		case line == "| operation | errors |":
			errorsTable = true
		case errorsTable && !strings.HasPrefix(line, "|---"):
			cells := strings.Split(strings.Trim(line, "| "), " | ")
			name, _, _ := strings.Cut(cells[0], " ")
			op := byVAPI(all, service, name)
			switch {
			case service == "":
				problems = append(problems, "errors row "+strconv.Quote(line)+" is in a section without an \"Interface `…`\" line")
				continue
			case op == nil || len(cells) != 2:
				problems = append(problems, "errors row "+strconv.Quote(line)+" names no operation of "+service)
				continue
			}
			declared[op] = cells[1]
		default:
			hand.WriteString(line + "\n")
		}
	}
	for _, op := range all {
		if !strings.Contains(hand.String(), "| `"+op.Display()+"` |") {
			problems = append(problems, "no row in a service's table for "+op.Name+" (`"+op.Display()+"`): "+
				"add one with its request body and replies in both flavors")
		}
		cell, ok := declared[op]
		if !ok {
			problems = append(problems, "no row for "+op.Name+" in the errors table of "+op.VAPIService)
			continue
		}
		if got, want := errorTypes(cell), slices.Sorted(slices.Values(op.Errors)); !slices.Equal(got, want) {
			problems = append(problems, op.Name+" declares "+strings.Join(want, ", ")+" in internal/ops, but its errors row says "+strings.Join(got, ", "))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// byVAPI returns the operation of a vAPI service and operation id, or nil.
func byVAPI(all []*ops.Op, service, name string) *ops.Op {
	for _, op := range all {
		if op.VAPIService == service && op.VAPIOperation == name {
			return op
		}
	}
	return nil
}

// errorTypes returns the standard error types a cell names ("NOT_FOUND
// 404 (no such link), ERROR 500"), sorted.
func errorTypes(cell string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(cell, func(r rune) bool { return !(r == '_' || r >= 'A' && r <= 'Z') }) {
		if _, ok := stderr.Status(f); ok && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

const generated = "<!-- Generated from internal/ops by `make docs`; do not edit by hand. -->\n"

// readmeTable is the README's operations table.
func readmeTable(all []*ops.Op) []byte {
	var b bytes.Buffer
	b.WriteString(generated)
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

// wireOpsTable is docs/wire.md's table of every operation's facts.
func wireOpsTable(all []*ops.Op) []byte {
	var b bytes.Buffer
	b.WriteString(generated)
	b.WriteString("| SDK method | vAPI service, operation | request (after `/api` or `/rest`) | idempotent | declared errors (HTTP status) | served by |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, op := range all {
		idem := "no"
		if op.Idempotent {
			idem = "yes"
		}
		errs := make([]string, len(op.Errors))
		for i, e := range op.Errors {
			errs[i] = e
			if st, ok := stderr.Status(e); ok {
				errs[i] += " " + strconv.Itoa(st)
			}
		}
		fmt.Fprintf(&b, "| `%s` | `%s` `%s` | `%s` | %s | %s | %s |\n", op.Name, op.VAPIService, op.VAPIOperation,
			op.Display(), idem, strings.Join(errs, ", "), strings.TrimPrefix(op.Versions(), "vSphere "))
	}
	return b.Bytes()
}

// group is operations of one part of the API (links and what is under
// them, or management) served by the same releases, in table order.
type group struct {
	part         string
	since, until ops.Release
	ops          []*ops.Op
}

// part names the part of the hvc API a vAPI service belongs to:
// "links" for com.vmware.vcenter.hvc.links and its sub-services,
// "management" for com.vmware.vcenter.hvc.management.administrators.
func part(service string) string {
	rest := strings.TrimPrefix(service, "com.vmware.vcenter.hvc.")
	p, _, _ := strings.Cut(rest, ".")
	return p
}

// groups gathers the operations by part and by the releases that serve
// them, in the order their first operation appears.
func groups(all []*ops.Op) []*group {
	var out []*group
next:
	for _, op := range all {
		for _, g := range out {
			if g.part == part(op.VAPIService) && g.since == op.Since && g.until == op.Until {
				g.ops = append(g.ops, op)
				continue next
			}
		}
		out = append(out, &group{part: part(op.VAPIService), since: op.Since, until: op.Until, ops: []*ops.Op{op}})
	}
	return out
}

// label names a group's operations by vAPI service and operation, e.g.
// "sync reset; providers list, get, start".
func (g *group) label() string {
	var parts []string
	last := ""
	for _, op := range g.ops {
		svc := op.VAPIService[strings.LastIndexByte(op.VAPIService, '.')+1:]
		if svc != last {
			parts = append(parts, svc+" "+op.VAPIOperation)
			last = svc
			continue
		}
		parts[len(parts)-1] += ", " + op.VAPIOperation
	}
	return strings.Join(parts, "; ")
}

// served reports whether release r serves the group.
func (g *group) served(r ops.Release) bool { return g.ops[0].In(r) }

// versionsTable is docs/wire.md's table of releases: consecutive releases
// that serve the same are one row.
func versionsTable(all []*ops.Op) []byte {
	gs := groups(all)
	cells := func(r ops.Release) []string {
		var out []string
		for _, g := range gs {
			switch {
			case g.served(r) && r >= ops.APISince:
				out = append(out, "`/rest`, `/api`")
			case g.served(r):
				out = append(out, "`/rest`")
			case r > g.ops[0].Last():
				out = append(out, "removed")
			default:
				out = append(out, "–")
			}
		}
		if r >= ops.SSLCertificateSince && r <= ops.FamilyUntil {
			return append(out, "CreateSpec and CertificateInfo")
		}
		return append(out, "–")
	}
	var b bytes.Buffer
	b.WriteString(generated)
	b.WriteString("| vSphere |")
	for _, g := range gs {
		b.WriteString(" " + g.label() + " |")
	}
	b.WriteString(" `ssl_certificate` fields |\n|---|" + strings.Repeat("---|", len(gs)+1) + "\n")
	rs := ops.Releases()
	for i := 0; i < len(rs); {
		j := i
		row := cells(rs[i])
		for j+1 < len(rs) && slices.Equal(cells(rs[j+1]), row) {
			j++
		}
		name := rs[i].String()
		if j > i {
			name += " – " + rs[j].String()
		}
		if rs[i] > ops.FamilyUntil {
			name += " (reported, not confirmed)"
		}
		b.WriteString("| " + name + " | " + strings.Join(row, " | ") + " |\n")
		i = j + 1
	}
	return b.Bytes()
}

// profilesTable is docs/simulator.md's table, one row per release.
func profilesTable(all []*ops.Op) []byte {
	gs := groups(all)
	yes := func(v bool) string {
		if v {
			return "yes"
		}
		return "no"
	}
	var b bytes.Buffer
	b.WriteString(generated)
	b.WriteString("| release | `/api` |")
	for _, g := range gs {
		b.WriteString(" " + g.label() + " |")
	}
	b.WriteString(" `ssl_certificate` |\n|---|---|" + strings.Repeat("---|", len(gs)+1) + "\n")
	for _, r := range ops.Releases() {
		b.WriteString("| " + r.String() + " | " + yes(r >= ops.APISince) + " |")
		for _, g := range gs {
			b.WriteString(" " + yes(g.served(r)) + " |")
		}
		b.WriteString(" " + yes(r >= ops.SSLCertificateSince) + " |\n")
	}
	return b.Bytes()
}
