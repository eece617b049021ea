// Command ratio reads `go test -bench` output (several -count runs) and
// prints, from the medians, the ratios issue 10's targets name for the
// no-network benchmark, plus the loopback ratios and the burst metrics:
//
//	go run ./cmd/ratio results/latest.txt
//
// Targets (no-network, per operation): time <= 2.0x raw and allocations
// <= 1.7x raw for Create and Start; SDK over resty alone <= +5%; the vAPI
// runtime at least 3x the SDK's time.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// samples maps a benchmark name (without "Benchmark" and the -N suffix)
// and a unit to the values of all runs.
type samples map[string]map[string][]float64

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader, s samples) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		if s[name] == nil {
			s[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("%s: %q: %w", name, f[i], err)
			}
			s[name][f[i+1]] = append(s[name][f[i+1]], v)
		}
	}
	return sc.Err()
}

// median of name's unit, or 0 when missing.
func (s samples) median(name, unit string) float64 { return median(s[name][unit]) }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Sorted(slices.Values(v))
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// paired returns a/b run by run: make bench runs every benchmark once per
// run, so the i-th samples of a and b were taken seconds apart under the
// same load. Nil when the runs do not pair up.
func (s samples) paired(a, b, unit string) []float64 {
	x, y := s[a][unit], s[b][unit]
	if len(x) == 0 || len(x) != len(y) {
		return nil
	}
	r := make([]float64, len(x))
	for i := range x {
		if y[i] == 0 {
			return nil
		}
		r[i] = x[i] / y[i]
	}
	return r
}

// ratio is the median of the paired ratios, or else the ratio of the
// medians; 0 when a benchmark is missing.
func (s samples) ratio(a, b, unit string) float64 {
	if p := s.paired(a, b, unit); p != nil {
		return median(p)
	}
	if d := s.median(b, unit); d != 0 {
		return s.median(a, unit) / d
	}
	return 0
}

// spread shows the range of the paired ratios, e.g. "2.36-3.34".
func (s samples) spread(a, b, unit string) string {
	p := s.paired(a, b, unit)
	if p == nil {
		return ""
	}
	return fmt.Sprintf("%.2f-%.2f", slices.Min(p), slices.Max(p))
}

// verdict marks v against a limit: ok when v <= limit (atMost) or v >=
// limit (otherwise); n/a when v is 0 (a benchmark is missing).
func verdict(v, limit float64, atMost bool) string {
	if v == 0 {
		return "n/a"
	}
	if (atMost && v <= limit) || (!atMost && v >= limit) {
		return "ok"
	}
	return "MISSED"
}

var ops = []string{"Create", "Start", "List", "Get"}

func main() {
	s := samples{}
	if len(os.Args) < 2 {
		if err := parse(os.Stdin, s); err != nil {
			fail(err)
		}
	}
	for _, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			fail(err)
		}
		err = parse(f, s)
		f.Close()
		if err != nil {
			fail(err)
		}
	}
	w := os.Stdout

	targets(w, s, "cpu-ns/op", "CPU time of the client process")
	targets(w, s, "ns/op", "wall time")

	fmt.Fprintln(w, "Per-call medians, CPU time (allocs); no-network | loopback, server out of process")
	impls := []string{"raw", "resty", "sdk", "runtime", "govmomi"}
	fmt.Fprintf(w, "%-8s", "op")
	for _, im := range impls {
		fmt.Fprintf(w, " %-27s", im)
	}
	fmt.Fprintln(w)
	for _, op := range ops {
		fmt.Fprintf(w, "%-8s", op)
		for _, im := range impls {
			nn, lb := name("NoNet", op, im), name("Op", op, im)
			fmt.Fprintf(w, " %-27s", fmt.Sprintf("%s(%.0f) | %s(%.0f)",
				dur(s.median(nn, "cpu-ns/op")), s.median(nn, "allocs/op"), dur(s.median(lb, "cpu-ns/op")), s.median(lb, "allocs/op")))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nLoopback vs raw (wall time, CPU time, allocs)")
	for _, op := range ops {
		fmt.Fprintf(w, "%-8s", op)
		for _, im := range impls[1:] {
			a, b := name("Op", op, im), name("Op", op, "raw")
			fmt.Fprintf(w, " %-8s %.2fx %.2fx %.2fx ", im, s.ratio(a, b, "ns/op"), s.ratio(a, b, "cpu-ns/op"),
				s.ratio(a, b, "allocs/op"))
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintln(w, "\nBurst of 100 concurrent calls over TLS, per burst (medians)")
	fmt.Fprintf(w, "%-10s %-8s %10s %8s %8s %8s\n", "state", "impl", "time", "conns", "full-hs", "resumed")
	for _, st := range []string{"cold", "warm", "reconnect"} {
		for _, im := range impls {
			n := "Burst/state=" + st + "/impl=" + im
			if s[n] == nil {
				continue
			}
			fmt.Fprintf(w, "%-10s %-8s %10s %8.1f %8.1f %8.1f\n", st, im, dur(s.median(n, "ns/op")),
				s.median(n, "conns/burst"), s.median(n, "full-handshakes/burst"), s.median(n, "resumed/burst"))
		}
	}
}

func name(bench, op, impl string) string { return bench + "/op=" + op + "/impl=" + impl }

// targets prints the no-network ratios the targets name, with time taken
// from unit (ns/op or cpu-ns/op); allocations are the same in both.
func targets(w io.Writer, s samples, unit, what string) {
	fmt.Fprintf(w, "No-network (library's own work), time = %s (%s): median of the per-run ratios\n"+
		"[target] and the range over runs; allocation counts are exact\n", what, unit)
	fmt.Fprintf(w, "%-7s %-27s %-21s %-27s %-27s %s\n", "op", "sdk/raw time [<=2.0]", "sdk/raw allocs",
		"sdk/resty-1 [<=+5%]", "runtime/sdk [>=3.0]", "(runtime-raw)/(sdk-raw)")
	for _, op := range ops {
		sdk, raw := name("NoNet", op, "sdk"), name("NoNet", op, "raw")
		rt, ry := name("NoNet", op, "runtime"), name("NoNet", op, "resty")
		t, a := s.ratio(sdk, raw, unit), s.ratio(sdk, raw, "allocs/op")
		tv, av := verdict(t, 2.0, true), verdict(a, 1.7, true)
		if op != "Create" && op != "Start" {
			tv, av = "info", "info"
		}
		over, r := s.ratio(sdk, ry, unit), s.ratio(rt, sdk, unit)
		var lib float64
		if d := s.median(sdk, unit) - s.median(raw, unit); d > 0 {
			lib = (s.median(rt, unit) - s.median(raw, unit)) / d
		}
		fmt.Fprintf(w, "%-7s %-27s %-21s %-27s %-27s %.2fx\n", op,
			fmt.Sprintf("%.2fx (%s) %s", t, s.spread(sdk, raw, unit), tv),
			fmt.Sprintf("%.2fx [<=1.7] %s", a, av),
			pct(over, "("+s.spread(sdk, ry, unit)+") "+verdict(over, 1.05, true)),
			fmt.Sprintf("%.2fx (%s) %s", r, s.spread(rt, sdk, unit), verdict(r, 3.0, false)), lib)
	}
	fmt.Fprintln(w)
}

// pct shows ratio r as a change in percent.
func pct(r float64, v string) string {
	if r == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%% %s", (r-1)*100, v)
}

func dur(ns float64) string {
	switch {
	case ns == 0:
		return "-"
	case ns >= 1e6:
		return fmt.Sprintf("%.1fms", ns/1e6)
	default:
		return fmt.Sprintf("%.1fµs", ns/1e3)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ratio:", err)
	os.Exit(1)
}
