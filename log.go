package hvc

import (
	"context"
	"log/slog"
	"time"

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
func (c *Client) logExchange(ctx context.Context, req request, rep reply, err error, d time.Duration) {
	path := req.target[len(c.endpoint):]
	attrs := []slog.Attr{
		slog.String("method", req.method),
		slog.String("path", path),
		slog.Duration("duration", d),
	}
	session := isSessionPath(path)
	secrets := c.secrets(req.secrets)
	if len(req.body) > 0 {
		attrs = append(attrs, slog.String("request_body", safeBody(req.body, session, secrets)))
	}
	if rep.status != 0 {
		attrs = append(attrs, slog.Int("status", rep.status))
		if len(rep.body) > 0 {
			attrs = append(attrs, slog.String("response_body", safeBody(rep.body, session, secrets)))
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
