package hvc_test

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvcsdk/hvc"
)

// TestThumbprint: the SHA-256 thumbprint of a certificate in vSphere's
// form, which SameThumbprint and WithThumbprint accept.
func TestThumbprint(t *testing.T) {
	t.Parallel()
	der := []byte("not really a certificate, but any DER bytes hash alike")
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	want := strings.Join(parts, ":")
	assert.Equal(t, want, hvc.Thumbprint(der))
	assert.True(t, hvc.SameThumbprint(strings.ToLower(strings.ReplaceAll(want, ":", "")), hvc.Thumbprint(der)))
	_, err := hvc.New("https://vc.example", hvc.WithThumbprint(hvc.Thumbprint(der)))
	assert.NoError(t, err)
}

// TestMessageText: a message's text is its default message, else its
// localized text, else its id, as sent.
func TestMessageText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    hvc.LocalizableMessage
		want string
	}{
		{hvc.LocalizableMessage{ID: "x.id", DefaultMessage: "default\ntext", Localized: "localized"}, "default\ntext"},
		{hvc.LocalizableMessage{ID: "x.id", Localized: "localized"}, "localized"},
		{hvc.LocalizableMessage{ID: "x.id"}, "x.id"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m.Text())
	}
}
