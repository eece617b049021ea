//go:build !(aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || zos || windows)

package conn

import "errors"

// echoOff is not available on this system: hvcctl does not prompt for
// passwords here (use HVC_PASSWORD_FILE or --password-stdin).
func echoOff(int) (func(), error) {
	return nil, errors.New("no-echo terminal input is not supported on this system")
}
