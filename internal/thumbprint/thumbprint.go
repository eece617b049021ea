// Package thumbprint parses, formats and checks certificate thumbprints in
// the forms vCenter and its users write them: SHA-256 or SHA-1, hex with or
// without colons, any case.
package thumbprint

import (
	"crypto/sha1" //nolint:gosec // SHA-1 thumbprints are accepted for pinning, as vSphere tools print them.
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// ErrFormat reports a string that is not a SHA-1 or SHA-256 thumbprint.
var ErrFormat = errors.New("thumbprint must be 20 (SHA-1) or 32 (SHA-256) bytes of hex, optionally colon-separated")

// Parse decodes a thumbprint into its raw digest bytes (20 or 32 of them).
func Parse(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		for _, p := range parts {
			if len(p) != 2 {
				return nil, ErrFormat
			}
		}
		s = strings.Join(parts, "")
	}
	b, err := hex.DecodeString(s)
	if err != nil || (len(b) != sha1.Size && len(b) != sha256.Size) {
		return nil, ErrFormat
	}
	return b, nil
}

// Format writes digest bytes as colon-separated upper-case hex.
func Format(b []byte) string {
	const digits = "0123456789ABCDEF"
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 0, len(b)*3-1)
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&0x0f])
	}
	return string(out)
}

// Of returns the digest of a DER certificate with the same length as want:
// SHA-1 for a 20-byte pin, SHA-256 otherwise.
func Of(der []byte, want []byte) []byte {
	if len(want) == sha1.Size {
		s := sha1.Sum(der) //nolint:gosec // see import
		return s[:]
	}
	s := sha256.Sum256(der)
	return s[:]
}

// Equal reports whether two thumbprint strings name the same digest,
// ignoring case and colons. Unparsable input is never equal.
func Equal(a, b string) bool {
	x, err := Parse(a)
	if err != nil {
		return false
	}
	y, err := Parse(b)
	if err != nil {
		return false
	}
	return string(x) == string(y)
}
