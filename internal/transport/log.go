package transport

import (
	"context"
	"log/slog"
	"time"

	"github.com/hvcsdk/hvc/internal/redact"
)

// logBodyLimit bounds how much of a body a debug record holds.
const logBodyLimit = 4096

// logExchange records one HTTP exchange at debug level: method, path (the
// URL without the endpoint), status, duration and both bodies with secrets
// replaced (the configured password, the request's session id and its
// Secrets). A Sensitive request's bodies are never recorded; headers never
// are. It runs only when debug logging is enabled.
func (t *Transport) logExchange(ctx context.Context, req Request, rep Reply, err error, d time.Duration) {
	path := req.URL
	if len(path) >= len(t.cfg.Endpoint) && path[:len(t.cfg.Endpoint)] == t.cfg.Endpoint {
		path = path[len(t.cfg.Endpoint):]
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", path),
		slog.Duration("duration", d),
	}
	secrets := append([]string{t.cfg.Password, req.SessionID}, req.Secrets...)
	if len(req.Body) > 0 {
		attrs = append(attrs, slog.String("request_body", safeBody(req.Body, req.Sensitive, secrets)))
	}
	if rep.Status != 0 {
		attrs = append(attrs, slog.Int("status", rep.Status))
		if len(rep.Body) > 0 {
			attrs = append(attrs, slog.String("response_body", safeBody(rep.Body, req.Sensitive, secrets)))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.Strings(err.Error(), secrets...)))
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "hvc: http exchange", attrs...)
}

func safeBody(b []byte, sensitive bool, secrets []string) string {
	if sensitive {
		return redact.Mask
	}
	// Scrub before cutting: a secret straddling the cut would otherwise
	// leave its first part in the record.
	return redact.Snippet([]byte(redact.Strings(string(redact.JSON(b)), secrets...)), logBodyLimit)
}
