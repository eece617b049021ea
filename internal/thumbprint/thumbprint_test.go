package thumbprint_test

import (
	"crypto/sha1" //nolint:gosec // checking the SHA-1 thumbprint path
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/thumbprint"
)

// Reference digests, spelled four ways each.
const (
	sha256Plain = "7de3b1908da54c340f5e6ab40d3c221cc65b9ae21351ef39f28b5e084c21a7d0"
	sha1Plain   = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"
)

func colonize(plain string) string {
	parts := make([]string, 0, len(plain)/2)
	for i := 0; i < len(plain); i += 2 {
		parts = append(parts, plain[i:i+2])
	}
	return strings.Join(parts, ":")
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // plain lower-case hex of the digest
	}{
		{"sha256 plain lower", sha256Plain, sha256Plain},
		{"sha256 plain upper", strings.ToUpper(sha256Plain), sha256Plain},
		{"sha256 colons upper", strings.ToUpper(colonize(sha256Plain)), sha256Plain},
		{"sha256 colons lower", colonize(sha256Plain), sha256Plain},
		{"sha256 mixed case", "7De3B1908Da54c340f5E6ab40d3c221cc65b9ae21351ef39f28b5e084c21a7D0", sha256Plain},
		{"sha1 plain lower", sha1Plain, sha1Plain},
		{"sha1 plain upper", strings.ToUpper(sha1Plain), sha1Plain},
		{"sha1 colons upper", strings.ToUpper(colonize(sha1Plain)), sha1Plain},
		{"sha1 colons lower", colonize(sha1Plain), sha1Plain},
		// Surrounding white space is trimmed.
		{"padded", "  " + colonize(sha1Plain) + "\n\t", sha1Plain},
		{"all zero", strings.Repeat("00", 32), strings.Repeat("00", 32)},
		{"all ff", strings.Repeat("FF:", 19) + "FF", strings.Repeat("ff", 20)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := thumbprint.Parse(tc.in)
			require.NoError(t, err)
			assert.Equal(t, mustHex(t, tc.want), got)
		})
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	c256 := colonize(sha256Plain)
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"blank", "   "},
		{"one byte", "AA"},
		{"one byte colons", "AA:BB"},
		{"19 bytes", sha1Plain[:38]},
		{"21 bytes", sha1Plain + "00"},
		{"31 bytes", sha256Plain[:62]},
		{"33 bytes", sha256Plain + "00"},
		{"sha512 length", strings.Repeat("ab", 64)},
		{"md5 length", strings.Repeat("ab", 16)},
		{"odd length plain", sha256Plain[:63]},
		{"odd length plain 41", sha1Plain + "a"},
		{"non-hex g", "g" + sha256Plain[1:]},
		{"non-hex last", sha1Plain[:39] + "z"},
		{"non-hex colons", "ZZ" + c256[2:]},
		{"0x prefix", "0x" + sha256Plain[2:]},
		{"inner space", sha1Plain[:20] + " " + sha1Plain[21:]},
		{"spaces as separators", strings.ReplaceAll(colonize(sha1Plain), ":", " ")},
		{"dashes as separators", strings.ReplaceAll(colonize(sha1Plain), ":", "-")},
		// Colons, when present, must separate every byte.
		{"one colon", sha256Plain[:2] + ":" + sha256Plain[2:]},
		{"missing one colon", c256[:5] + c256[6:]},
		{"misplaced colon", c256[:4] + ":" + c256[3:4] + c256[6:]},
		{"leading colon", ":" + colonize(sha1Plain)},
		{"trailing colon", colonize(sha1Plain) + ":"},
		{"double colon", strings.Replace(colonize(sha1Plain), ":", "::", 1)},
		{"colons every 4", "a94a:8fe5:ccb1:9ba6:1c4c:0873:d391:e987:982f:bbd3"},
		{"single-digit bytes", strings.Repeat("A:", 31) + "A"},
		{"sha256 prefix", "SHA256:" + c256},
		{"non-ascii", strings.Repeat("é", 32)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var (
				got []byte
				err error
			)
			require.NotPanics(t, func() { got, err = thumbprint.Parse(tc.in) })
			require.ErrorIs(t, err, thumbprint.ErrFormat)
			assert.Nil(t, got)
		})
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"nil", nil, ""},
		{"empty", []byte{}, ""},
		{"one byte", []byte{0x0a}, "0A"},
		{"two bytes", []byte{0x00, 0xff}, "00:FF"},
		{"sha1", mustHex(t, sha1Plain), strings.ToUpper(colonize(sha1Plain))},
		{"sha256", mustHex(t, sha256Plain), strings.ToUpper(colonize(sha256Plain))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, thumbprint.Format(tc.in))
		})
	}
}

// Format and Parse are inverses for both digest sizes.
func TestFormatParseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, plain := range []string{sha1Plain, sha256Plain} {
		b := mustHex(t, plain)
		s := thumbprint.Format(b)
		assert.Len(t, s, len(b)*3-1)
		got, err := thumbprint.Parse(s)
		require.NoError(t, err)
		assert.Equal(t, b, got)
	}
}

func TestOf(t *testing.T) {
	t.Parallel()
	der := []byte("0\x82\x01\x0a not really DER, but any bytes hash the same way")
	s1 := sha1.Sum(der) //nolint:gosec // see import
	s256 := sha256.Sum256(der)
	tests := []struct {
		name string
		der  []byte
		want []byte // pin whose length selects the hash
		exp  []byte
	}{
		{"sha1 pin", der, make([]byte, sha1.Size), s1[:]},
		{"sha256 pin", der, make([]byte, sha256.Size), s256[:]},
		// Any length other than 20 means SHA-256.
		{"nil pin", der, nil, s256[:]},
		{"odd pin", der, make([]byte, 16), s256[:]},
		{"sha1 pin empty der", nil, make([]byte, 20), func() []byte { s := sha1.Sum(nil); return s[:] }()}, //nolint:gosec // see import
		{"sha256 pin empty der", nil, make([]byte, 32), func() []byte { s := sha256.Sum256(nil); return s[:] }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := thumbprint.Of(tc.der, tc.want)
			assert.Equal(t, tc.exp, got)
		})
	}
}

// A pin parsed from a printed thumbprint matches Of of the certificate.
func TestOfMatchesParsedPin(t *testing.T) {
	t.Parallel()
	der := []byte("certificate bytes")
	for _, sum := range [][]byte{
		func() []byte { s := sha1.Sum(der); return s[:] }(), //nolint:gosec // see import
		func() []byte { s := sha256.Sum256(der); return s[:] }(),
	} {
		pin, err := thumbprint.Parse(strings.ToLower(thumbprint.Format(sum)))
		require.NoError(t, err)
		assert.Equal(t, pin, thumbprint.Of(der, pin))
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	c256 := colonize(sha256Plain)
	other256 := "00" + sha256Plain[2:]
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"same", sha256Plain, sha256Plain, true},
		{"case", sha256Plain, strings.ToUpper(sha256Plain), true},
		{"colons vs plain", c256, sha256Plain, true},
		{"colons upper vs plain lower", strings.ToUpper(c256), sha256Plain, true},
		{"sha1 forms", strings.ToUpper(colonize(sha1Plain)), sha1Plain, true},
		{"padded", " " + sha1Plain + " ", sha1Plain, true},
		{"different sha256", sha256Plain, other256, false},
		{"different sha1", sha1Plain, "00" + sha1Plain[2:], false},
		{"sha1 vs sha256 prefix", sha256Plain[:40], sha256Plain, false},
		{"garbage a", "garbage", sha256Plain, false},
		{"garbage b", sha256Plain, "garbage", false},
		// Unparsable input is never equal, not even to itself.
		{"same garbage", "garbage", "garbage", false},
		{"both empty", "", "", false},
		{"odd colons same", c256[:5] + c256[6:], c256[:5] + c256[6:], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, thumbprint.Equal(tc.a, tc.b))
			assert.Equal(t, tc.want, thumbprint.Equal(tc.b, tc.a), "symmetric")
		})
	}
}
