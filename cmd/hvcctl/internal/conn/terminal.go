package conn

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Terminal reads secrets from the operator's terminal without echo. Echo
// is turned off before the prompt is shown, so nothing typed as soon as
// the prompt appears is echoed.
type Terminal struct {
	// In is the terminal read from; Out is where the prompt goes.
	In  *os.File
	Out io.Writer

	mu      sync.Mutex
	restore func()
}

// ReadSecret turns echo off, shows prompt, reads one line and puts the
// terminal back as it was.
func (t *Terminal) ReadSecret(prompt string) ([]byte, error) {
	restore, err := echoOff(int(t.In.Fd()))
	if err != nil {
		return nil, fmt.Errorf("turning off echo: %w", err)
	}
	t.mu.Lock()
	t.restore = restore
	t.mu.Unlock()
	defer t.Restore()
	fmt.Fprint(t.Out, prompt)
	return readSecretLine(t.In)
}

// Restore puts the terminal back if a ReadSecret is in progress; main
// calls it when hvcctl is interrupted while it waits.
func (t *Terminal) Restore() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.restore != nil {
		t.restore()
		t.restore = nil
	}
}

// readSecretLine reads up to a newline, bounded by maxSecretFileBytes.
func readSecretLine(r io.Reader) ([]byte, error) {
	var buf [1]byte
	var line []byte
	for {
		n, err := r.Read(buf[:])
		if n > 0 {
			switch buf[0] {
			case '\n':
				return line, nil
			case '\r':
			case '\b', 0x7f:
				if len(line) > 0 {
					line = line[:len(line)-1]
				}
			default:
				if len(line) >= maxSecretFileBytes {
					return nil, errors.New("the password is longer than 4 KiB")
				}
				line = append(line, buf[0])
			}
			continue
		}
		if errors.Is(err, io.EOF) && len(line) > 0 {
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
