package simulator_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/simulator"
)

// TestSimulatorDocProfiles checks the profile table of docs/simulator.md
// against the operations table the simulator routes from. Each operation
// column's header names its operations by vAPI service and operation
// ("sync reset; providers list, get, start"); a cell says yes when the
// release serves all of them.
func TestSimulatorDocProfiles(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../docs/simulator.md")
	require.NoError(t, err)
	yes := func(v bool) string {
		if v {
			return "yes"
		}
		return "no"
	}
	var header []string
	rows := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		switch {
		case len(cells) > 3 && cells[0] == "release" && cells[1] == "`/api`":
			header = cells
		case header != nil && len(cells) == len(header):
			if _, err := ops.ParseRelease(cells[0]); err == nil {
				rows[cells[0]] = cells
			}
		}
	}
	require.NotNil(t, header, "the profile table's header")
	columns := make([][]*ops.Op, len(header)-3)
	for i, label := range header[2 : len(header)-1] {
		for _, part := range strings.Split(label, "; ") {
			service, names, _ := strings.Cut(part, " ")
			for _, name := range strings.Split(names, ", ") {
				var found *ops.Op
				for _, op := range ops.All {
					if strings.HasSuffix(op.VAPIService, "."+service) && op.VAPIOperation == name {
						found = op
					}
				}
				require.NotNil(t, found, "column %q names %s %s", label, service, name)
				columns[i] = append(columns[i], found)
			}
		}
	}
	require.Len(t, rows, len(ops.Releases()), "one row per release")
	for _, r := range ops.Releases() {
		want := []string{r.String(), yes(r >= ops.APISince)}
		for _, col := range columns {
			all := true
			for _, op := range col {
				all = all && op.In(r)
			}
			want = append(want, yes(all))
		}
		want = append(want, yes(r >= ops.SSLCertificateSince))
		assert.Equal(t, want, rows[r.String()], r.String())
	}
}

// TestReadmeUsageProviders: the provider ids the README's Usage sample
// syncs are ones the simulator serves, so the sample runs against it.
func TestReadmeUsageProviders(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	usage := string(b)
	i := strings.Index(usage, "\n## Usage\n")
	require.GreaterOrEqual(t, i, 0, "README has no Usage section")
	usage = usage[i+1:]
	if j := strings.Index(usage[1:], "\n## "); j >= 0 {
		usage = usage[:j+1]
	}
	calls := regexp.MustCompile(`SyncProviders\.(?:StartAndWait|Start|Get)\(ctx, \w+, "([^"]*)"`).FindAllStringSubmatch(usage, -1)
	require.NotEmpty(t, calls, "the Usage sample syncs no provider")
	for _, c := range calls {
		assert.Contains(t, simulator.DefaultProviders, c[1], "README Usage: provider %q", c[1])
	}
}
