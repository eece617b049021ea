package hvc

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/redact"
)

// Credentials authenticate to the foreign system (links.credentials and
// providers.credentials). Its Password never appears in %v, %+v, %#v or
// slog output.
type Credentials struct {
	UserName string `json:"user_name"`
	Password string `json:"password"`
}

// String formats the credentials with the password redacted.
func (c Credentials) String() string {
	return "{UserName:" + c.UserName + " Password:" + redact.Mask + "}"
}

// GoString formats the credentials for %#v with the password redacted.
func (c Credentials) GoString() string {
	return fmt.Sprintf("hvc.Credentials{UserName:%q, Password:%q}", c.UserName, redact.Mask)
}

// LogValue makes slog record the credentials with the password redacted.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user_name", c.UserName), slog.String("password", redact.Mask))
}

// validate checks credentials before anything is sent.
func (c Credentials) validate(op *ops.Op, field string) error {
	if strings.TrimSpace(c.UserName) == "" {
		return refused(op, field+".user_name", "is required")
	}
	if c.Password == "" {
		return refused(op, field+".password", "is required")
	}
	return nil
}
