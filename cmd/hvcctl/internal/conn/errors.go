package conn

import "errors"

// Kind classifies an *Error for the command line's exit codes.
type Kind int

const (
	// KindUsage is a setting the operator must fix (exit 2).
	KindUsage Kind = iota + 1
	// KindAuth is a missing or unusable credential (exit 3).
	KindAuth
)

// Error is an error the operator can act on: its Kind, the cause and
// hints saying what to do.
type Error struct {
	Kind  Kind
	Err   error
	Hints []string
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func usage(err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	return &Error{Kind: KindUsage, Err: err}
}

func auth(err error, hints ...string) error { return &Error{Kind: KindAuth, Err: err, Hints: hints} }
