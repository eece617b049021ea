package hvc_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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

// waitingCtx is a context.Background that reports, once, on waiting when
// a call first asks for its Done channel. A call that has no request to
// send first (a lazy login, a flavor probe) asks for it only where it
// waits on the shared work it joined, so a test that has received N
// reports knows that N callers wait on that work, without sleeping.
type waitingCtx struct {
	context.Context
	once    sync.Once
	waiting chan<- struct{}
}

func newWaitingCtx(waiting chan<- struct{}) *waitingCtx {
	return &waitingCtx{Context: context.Background(), waiting: waiting}
}

// Done reports the first call on waiting and returns Background's (nil)
// channel.
func (c *waitingCtx) Done() <-chan struct{} {
	c.once.Do(func() { c.waiting <- struct{}{} })
	return c.Context.Done()
}

// receiveN receives n values from ch, failing t after fvcHangGuard.
func receiveN(t *testing.T, ch <-chan struct{}, n int, what string) {
	t.Helper()
	guard := time.After(fvcHangGuard)
	for i := range n {
		select {
		case <-ch:
		case <-guard:
			t.Fatalf("%s: %d of %d arrived", what, i, n)
		}
	}
}
