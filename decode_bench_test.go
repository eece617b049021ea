package hvc

import (
	"strings"
	"testing"
)

// hostileNesting returns an /api error body whose one message nests depth
// messages inside each other through "l" params: about 31 bytes a level,
// so 3,000 levels make a 93 KiB body.
func hostileNesting(depth int) []byte {
	var b strings.Builder
	b.WriteString(`{"error_type":"ERROR","messages":[{"id":"top","default_message":"deep","args":[],"params":`)
	for range depth {
		b.WriteString(`{"p":{"l":{"id":"n","params":`)
	}
	b.WriteString(`{}`)
	for range depth {
		b.WriteString(`}}}`)
	}
	b.WriteString(`}]}`)
	return []byte(b.String())
}

// BenchmarkDecodeHostileNesting decodes a 93 KiB error body nested 3,000
// levels deep, the shape that used to take seconds and a gigabyte.
func BenchmarkDecodeHostileNesting(b *testing.B) {
	body := hostileNesting(3000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if newStdError(origin{op: "Links.List", method: "GET", path: "/hvc/links"}, 500, body, "", false, []string{"secret-pw"}) == nil {
			b.Fatal("no error")
		}
	}
}
