package thumbprint

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// FuzzParse proves that Parse never panics, fails only with ErrFormat, and
// that whatever it accepts is a 20- or 32-byte digest that survives Format
// and the plain-hex spelling unchanged and is Equal to its own spellings.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"AA:BB",
		"7D:E3:B1:90:8D:A5:4C:34:0F:5E:6A:B4:0D:3C:22:1C:C6:5B:9A:E2:13:51:EF:39:F2:8B:5E:08:4C:21:A7:D0", // SHA-256
		"7de3b1908da54c340f5e6ab40d3c221cc65b9ae21351ef39f28b5e084c21a7d0",                                // SHA-256, bare
		"  7D:E3:B1:90:8D:A5:4C:34:0F:5E:6A:B4:0D:3C:22:1C:C6:5B:9A:E2  ",                                 // SHA-1, padded
		"7de3b1908da54c340f5e6ab40d3c221cc65b9ae2",                                                        // SHA-1, bare
		"7D:E3B1:90:8D:A5:4C:34:0F:5E:6A:B4:0D:3C:22:1C:C6:5B:9A:E2:13:51:EF:39:F2:8B:5E:08:4C:21:A7:D0:", // misplaced colon
		"7D-E3-B1-90-8D-A5-4C-34-0F-5E-6A-B4-0D-3C-22-1C-C6-5B-9A-E2",                                     // dashes
		"zz:E3:B1:90:8D:A5:4C:34:0F:5E:6A:B4:0D:3C:22:1C:C6:5B:9A:E2",                                     // not hex
		"7D:E3:B1:90:8D:A5:4C:34:0F:5E:6A:B4:0D:3C:22:1C:C6:5B:9A:É",                                      // multi-byte
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("Parse(%q) error %v, want ErrFormat", s, err)
			}
			if b != nil {
				t.Fatalf("Parse(%q) failed but returned %x", s, b)
			}
			if Equal(s, s) {
				t.Fatalf("Equal(%q, itself) is true for an unparsable thumbprint", s)
			}
			return
		}
		if len(b) != 20 && len(b) != 32 {
			t.Fatalf("Parse(%q) = %d bytes, want 20 or 32", s, len(b))
		}
		formatted := Format(b)
		back, err := Parse(formatted)
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("Parse(Format(%x)) = %x, %v", b, back, err)
		}
		bare, err := Parse(hex.EncodeToString(b))
		if err != nil || !bytes.Equal(bare, b) {
			t.Fatalf("Parse(bare hex of %x) = %x, %v", b, bare, err)
		}
		if !Equal(s, formatted) || !Equal(formatted, s) || !Equal(s, s) {
			t.Fatalf("Equal(%q, %q) is false for the same digest", s, formatted)
		}
		if len(Of(nil, b)) != len(b) {
			t.Fatalf("Of gives %d bytes for a %d-byte pin", len(Of(nil, b)), len(b))
		}
	})
}
