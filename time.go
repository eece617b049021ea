package hvc

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Time is a vCenter date-time on the wire. It parses the RFC 3339 forms
// vCenter emits with or without fractional seconds, with "Z" or a numeric
// zone, and also the zone-less form some builds send (read as UTC). Users
// see plain time.Time values; Time is exported only for custom decoding.
type Time struct{ time.Time }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// ParseTime parses a vCenter date-time string (see Time).
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("hvc: cannot parse time " + timeText(s))
}

// timeText shows an unparsable time in an error: quoted when it is made
// of date-time characters only, else only its length, so a server putting
// a password where a time belongs cannot make the error quote it (a
// date-like value is still masked as a token by the caller).
func timeText(s string) string {
	if len(s) > 40 {
		return "(" + strconv.Itoa(len(s)) + " bytes, not a date-time)"
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9') && !strings.ContainsRune("-:.+ TZtz", rune(c)) {
			return "(" + strconv.Itoa(len(s)) + " bytes, not a date-time)"
		}
	}
	return strconv.Quote(s)
}

// UnmarshalJSON implements json.Unmarshaler; null leaves t unchanged.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return errors.New("hvc: time is not a JSON string")
	}
	v, err := ParseTime(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// ptr returns nil for a nil or zero Time, else a pointer to its time.Time.
func (t *Time) ptr() *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	v := t.Time
	return &v
}
