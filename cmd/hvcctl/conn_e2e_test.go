package main

import "github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"

// thumbprintOf is the thumbprint hvcctl shows for a DER certificate.
func thumbprintOf(der []byte) string { return conn.Thumbprint(der) }
