package simfacts_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/simfacts"
	"github.com/hvcsdk/hvc/simulator"
)

// docRows returns the (JSON member, export variable) rows of the table in
// the "### Facts" section of docs/simulator.md, in order.
func docRows(t *testing.T) [][2]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "simulator.md"))
	require.NoError(t, err)
	_, sec, ok := strings.Cut(string(b), "\n### Facts\n")
	require.True(t, ok, "docs/simulator.md has no Facts section")
	sec, _, _ = strings.Cut(sec, "\n#")
	cell := regexp.MustCompile("^`([^`]+)`$")
	var rows [][2]string
	for _, line := range strings.Split(sec, "\n") {
		cols := strings.Split(line, "|")
		if len(cols) < 4 || !strings.HasPrefix(strings.TrimSpace(cols[1]), "`") {
			continue
		}
		m := cell.FindStringSubmatch(strings.TrimSpace(cols[1]))
		require.NotNil(t, m, "JSON member cell %q", cols[1])
		env := strings.TrimSpace(cols[2])
		if env != "" {
			e := cell.FindStringSubmatch(env)
			require.NotNil(t, e, "export variable cell %q", cols[2])
			env = e[1]
		}
		rows = append(rows, [2]string{m[1], env})
	}
	require.NotEmpty(t, rows, "the Facts section has no table")
	return rows
}

// TestVarsMatchDocs: docs/simulator.md's Facts table lists exactly Vars,
// in order, with the same export variables.
func TestVarsMatchDocs(t *testing.T) {
	t.Parallel()
	var want [][2]string
	for _, v := range simfacts.Vars {
		want = append(want, [2]string{v.JSON, v.Env})
	}
	assert.Equal(t, want, docRows(t))
}

// jsonNames returns the JSON member names of a struct type's fields.
func jsonNames(typ reflect.Type) []string {
	var out []string
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// TestVarsMatchFacts: the top-level Vars are Facts' JSON members in order,
// the foreign_pscs[0] ones ForeignPSC's, and every export variable is
// HVC_* or HVCSIM_*, named once.
func TestVarsMatchFacts(t *testing.T) {
	t.Parallel()
	var top, psc []string
	seen := map[string]bool{}
	for _, v := range simfacts.Vars {
		if m, ok := strings.CutPrefix(v.JSON, "foreign_pscs[0]."); ok {
			psc = append(psc, m)
		} else {
			top = append(top, v.JSON)
		}
		if v.Env != "" {
			assert.Regexp(t, `^HVC(SIM)?_[A-Z_]+$`, v.Env)
			assert.False(t, seen[v.Env], "%s twice", v.Env)
			seen[v.Env] = true
		}
	}
	assert.Equal(t, jsonNames(reflect.TypeFor[simfacts.Facts]()), top)
	assert.Equal(t, jsonNames(reflect.TypeFor[simfacts.ForeignPSC]()), psc)
}

// TestFromServer: the facts of a started server, their export lines (HVC_*
// first, every value quoted, empty ones left out) and JSON line (every
// member but the empty cert_file).
func TestFromServer(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl())
	f := simfacts.FromServer(sim)
	require.NoError(t, f.WriteKnownHosts(t.TempDir()))
	kh, err := os.ReadFile(f.TLSKnownHosts)
	require.NoError(t, err)
	assert.Equal(t, strings.TrimPrefix(sim.URL(), "https://")+" "+sim.Thumbprint()+"\n", string(kh))
	assert.Equal(t, sim.URL()+"/hvcsim/", f.ControlURL)
	assert.Equal(t, sim.ControlToken(), f.ControlToken)
	assert.Contains(t, f.CertPEM, "BEGIN CERTIFICATE")

	exports := f.Exports()
	var names []string
	for _, kv := range exports {
		names = append(names, kv[0])
		assert.NotEmpty(t, kv[1], kv[0])
	}
	assert.Equal(t, []string{"HVC_URL", "HVC_USERNAME", "HVC_PASSWORD", "HVC_TLS_KNOWN_HOSTS", "HVC_PSC_DOMAIN",
		"HVC_PSC_HOSTNAME", "HVC_PSC_USERNAME", "HVC_PSC_PASSWORD", "HVC_PSC_THUMBPRINT",
		"HVCSIM_VERSION", "HVCSIM_READONLY_USERNAME", "HVCSIM_READONLY_PASSWORD", "HVCSIM_THUMBPRINT",
		"HVCSIM_CONTROL_URL", "HVCSIM_CONTROL_TOKEN"}, names)
	lines := simfacts.ExportLines(exports)
	assert.Contains(t, lines, "export HVC_PASSWORD='"+simulator.DefaultAdminPassword+"'\n")
	assert.Equal(t, `'it'\''s'`, simfacts.ShellQuote("it's"))

	b, err := f.JSON()
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	for _, v := range simfacts.Vars {
		if strings.Contains(v.JSON, "[") {
			continue
		}
		_, ok := m[v.JSON]
		assert.Equal(t, v.JSON != "cert_file", ok, "%s in the JSON line", v.JSON)
	}

	plain := simfacts.FromServer(simulator.Run(t, simulator.WithPlainHTTP()))
	require.NoError(t, plain.WriteKnownHosts(t.TempDir()))
	assert.Empty(t, plain.TLSKnownHosts)
	assert.Empty(t, plain.CertPEM)
	assert.Empty(t, plain.ControlToken, "no control surface")
}

// TestLimitMemory: the limit is the log's bound plus MemoryAllowance,
// saturating; GOMEMLIMIT or a bound that is not positive sets none.
func TestLimitMemory(t *testing.T) {
	t.Parallel() // the only test of the package that touches the process's limit
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	for _, tc := range []struct {
		logBytes   int64
		gomemlimit string
		want       int64
	}{
		{1 << 20, "", 1<<20 + simfacts.MemoryAllowance},
		{math.MaxInt64 - 1, "", math.MaxInt64},
		{1 << 20, "1GiB", 0},
		{0, "", 0},
		{-1, "", 0},
	} {
		debug.SetMemoryLimit(prev)
		got := simfacts.LimitMemory(tc.logBytes, tc.gomemlimit)
		want := tc.want
		if want == 0 {
			want = prev
		}
		if now := debug.SetMemoryLimit(-1); got != tc.want || now != want {
			t.Errorf("LimitMemory(%d, %q) = %d, runtime limit %d; want %d, %d", tc.logBytes, tc.gomemlimit, got, now, tc.want, want)
		}
	}
}
