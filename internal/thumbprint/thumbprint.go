// Package thumbprint parses, formats and checks certificate thumbprints in
// the forms vCenter and its users write them: SHA-256 or SHA-1, hex with or
// without colons, any case.
package thumbprint

import (
	"crypto/sha1" //nolint:gosec // SHA-1 thumbprints are accepted for pinning, as vSphere tools print them.
	"crypto/sha256"
	"errors"
	"strings"
)

// ErrFormat reports a string that is not a SHA-1 or SHA-256 thumbprint.
var ErrFormat = errors.New("thumbprint must be 20 (SHA-1) or 32 (SHA-256) bytes of hex, optionally colon-separated")

// Parse decodes a thumbprint into its raw digest bytes (20 or 32 of them).
// Colons, when present, must separate every byte.
//
// It is small enough to inline, so a caller that only checks the error
// (validation before a request) allocates nothing: the digest then lives on
// its stack.
func Parse(s string) ([]byte, error) {
	var out [sha256.Size]byte
	return decode(&out, s)
}

// decode writes the digest s spells to out and returns it, cut to its
// length.
func decode(out *[sha256.Size]byte, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	colons := strings.Contains(s, ":")
	step := 2
	if colons {
		step = 3
		if (len(s)+1)%3 != 0 {
			return nil, ErrFormat
		}
	} else if len(s)%2 != 0 {
		return nil, ErrFormat
	}
	n := (len(s) + step - 2) / step
	if n != sha1.Size && n != sha256.Size {
		return nil, ErrFormat
	}
	for i := range n {
		j := i * step
		if colons && i > 0 && s[j-1] != ':' {
			return nil, ErrFormat
		}
		hi, ok1 := fromHex(s[j])
		lo, ok2 := fromHex(s[j+1])
		if !ok1 || !ok2 {
			return nil, ErrFormat
		}
		out[i] = hi<<4 | lo
	}
	return out[:n:n], nil
}

func fromHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
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

// SHA256 returns the SHA-256 thumbprint of a DER certificate as vSphere
// prints it: colon-separated upper-case hex.
func SHA256(der []byte) string {
	sum := sha256.Sum256(der)
	return Format(sum[:])
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
