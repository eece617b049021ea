package hvc

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/hvcsdk/hvc/internal/redact"
	"github.com/hvcsdk/hvc/internal/wire"
)

const levelDebug = slog.LevelDebug

// logBodyLimit bounds how much of a body a debug record holds.
const logBodyLimit = 4096

// logExchange records one HTTP exchange at debug level: method, path,
// status, duration and both bodies with secrets replaced. Session endpoints'
// bodies are never recorded (they hold the token). Headers are never logged.
// It runs only when debug logging is enabled.
func (c *Client) logExchange(ctx context.Context, method, path string, reqBody []byte, callSecrets []string, resp *resty.Response, err error, d time.Duration) {
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("path", path),
		slog.Duration("duration", d),
	}
	session := isSessionPath(path)
	secrets := c.secrets(callSecrets)
	if len(reqBody) > 0 {
		attrs = append(attrs, slog.String("request_body", safeBody(reqBody, session, secrets)))
	}
	if resp != nil && resp.RawResponse != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode()))
		if b := resp.Body(); len(b) > 0 {
			attrs = append(attrs, slog.String("response_body", safeBody(b, session, secrets)))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.Strings(err.Error(), secrets...)))
	}
	c.log.LogAttrs(ctx, levelDebug, "hvc: http exchange", attrs...)
}

func safeBody(b []byte, session bool, secrets []string) string {
	if session {
		return redact.Mask
	}
	// Scrub before cutting: a secret straddling the cut would otherwise
	// leave its first part in the record.
	return redact.Snippet([]byte(redact.Strings(string(redact.JSON(b)), secrets...)), logBodyLimit)
}

func isSessionPath(p string) bool {
	return p == wire.SessionPath(false) || p == wire.SessionPath(true)
}
