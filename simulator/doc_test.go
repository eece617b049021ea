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
// against the operations table the simulator routes from.
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
	rows := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) == 7 {
			if _, err := ops.ParseRelease(cells[0]); err == nil {
				rows[cells[0]] = cells[1:]
			}
		}
	}
	require.Len(t, rows, len(ops.Releases()), "one row per release")
	for _, r := range ops.Releases() {
		want := []string{
			yes(r >= ops.APISince),
			yes(ops.LinksCreate.In(r) && ops.LinksList.In(r) && ops.LinksDelete.In(r)),
			yes(ops.LinksGet.In(r) && ops.LinksDeleteWithCredentials.In(r)),
			yes(ops.SyncReset.In(r) && ops.SyncProvidersList.In(r) && ops.SyncProvidersGet.In(r) && ops.SyncProvidersStart.In(r)),
			yes(ops.AdministratorsGet.In(r) && ops.AdministratorsSet.In(r) && ops.AdministratorsAdd.In(r) && ops.AdministratorsRemove.In(r)),
			yes(r >= ops.SSLCertificateSince),
		}
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
