package bench

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/hvcsdk/hvc/bench/internal/fakevc"
)

// The loopback server runs in a process of its own (this test binary,
// re-executed with fakevc.ChildEnv set), so the client's allocations are
// not mixed with the server's. It is started on first use.
var (
	srvOnce sync.Once
	srv     *fakevc.Proc
	srvErr  error
)

func TestMain(m *testing.M) {
	if os.Getenv(fakevc.ChildEnv) == "1" {
		if err := fakevc.Serve(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if srv != nil {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "bench server:", err)
		}
	}
	os.Exit(code)
}

// server returns the shared out-of-process server.
func server(tb testing.TB) *fakevc.Proc {
	srvOnce.Do(func() { srv, srvErr = fakevc.Start(os.Args[0], "-test.run=^$", "-test.bench=^$") })
	if srvErr != nil {
		tb.Fatal(srvErr)
	}
	return srv
}
