package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runInProcess runs hvcctl's app in this process with the environment e
// and stdin, through the app's stream and environment seams.
func runInProcess(t *testing.T, e env, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		lookupEnv: func(k string) (string, bool) { v, ok := e[k]; return v, ok },
		environ:   e.list(),
	}
	code := a.run(context.Background(), args)
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}
