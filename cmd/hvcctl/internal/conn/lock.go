package conn

import (
	"context"
	"fmt"
	"os"
)

// lock takes an exclusive lock on the sidecar file path (created 0600 if
// needed), waiting until it is free or ctx ends. Closing the file, which
// unlock does, releases the lock; so does the process ending.
func lock(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) //nolint:gosec // G304: a lock file next to a file of ours
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	done := make(chan error, 1)
	go func() { done <- lockFile(f) }()
	select {
	case err := <-done:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return func() { f.Close() }, nil
	case <-ctx.Done():
		// The lock may still be granted later: release it then.
		go func() {
			if err := <-done; err == nil {
				f.Close() // granted after all: release it
				return
			}
			f.Close()
		}()
		return nil, fmt.Errorf("waiting for the lock %s: %w", path, context.Cause(ctx))
	}
}
