package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeCounter counts the writes made to it.
type writeCounter struct {
	bytes.Buffer
	writes int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// dirState is what a command could change in a directory: its
// modification time and its entries.
type dirState struct {
	mtime time.Time
	names []string
}

func stateOf(t *testing.T, dir string) dirState {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return dirState{mtime: fi.ModTime(), names: names}
}

// TestWarmCommandIsOneRequestAndWritesNothing: on a cached session whose
// password is checked by the MAC, link ls makes exactly one HTTP request
// (the list itself: no login, no session probe, no flavor probe), leaves
// HVCCTL_HOME and its sessions directory untouched (no file created, not
// even for a moment: the directories' modification times stay as set),
// and writes its table to stdout in one write.
func TestWarmCommandIsOneRequestAndWritesNothing(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	mustRun(t, e, 0, "link", "create")
	mustRun(t, e, 0, "link", "ls") // caches the session and its MAC

	home := e["HVCCTL_HOME"]
	dirs := []string{home, filepath.Join(home, "sessions")}
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	before := map[string]dirState{}
	for _, d := range dirs {
		if err := os.Chtimes(d, old, old); err != nil {
			t.Fatal(err)
		}
		before[d] = stateOf(t, d)
	}
	logins, n := sim.LoginCount(), len(sim.Requests())

	var out writeCounter
	var errb bytes.Buffer
	a := &app{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		lookupEnv: func(k string) (string, bool) { v, ok := e[k]; return v, ok },
		environ:   e.list(),
		readPassword: func(string) ([]byte, error) {
			t.Error("prompted without a terminal")
			return nil, os.ErrInvalid
		},
	}
	if code := a.run(context.Background(), []string{"link", "ls"}); code != 0 {
		t.Fatalf("warm link ls: exit %d, stderr %q", code, errb.String())
	}

	reqs := sim.Requests()[n:]
	if len(reqs) != 1 || reqs[0].Method != "GET" || !strings.HasSuffix(reqs[0].Path, "/hvc/links") || sim.LoginCount() != logins {
		var got []string
		for _, r := range reqs {
			got = append(got, r.Method+" "+r.Path)
		}
		t.Errorf("warm link ls made requests %q and %d logins; want one GET of the links", got, sim.LoginCount()-logins)
	}
	for _, d := range dirs {
		if got := stateOf(t, d); !got.mtime.Equal(old) || !slices.Equal(got.names, before[d].names) {
			t.Errorf("warm link ls changed %s: mtime %v, entries %q; before %v, %q", d, got.mtime, got.names, old, before[d].names)
		}
	}
	if !strings.Contains(out.String(), "link-1") || out.writes != 1 {
		t.Errorf("warm link ls wrote %q in %d writes; want the table in one", out.String(), out.writes)
	}
	if errb.Len() != 0 {
		t.Errorf("warm link ls: stderr %q", errb.String())
	}
}
