package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// fieldError is a refusal of a Fault that names its fields. Error words it
// for AddFault's caller, in Fault's Go field names after "simulator:
// AddFault: "; json words it for POST /hvcsim/faults, in the members of
// faultJSON (the control surface's body, which has no field of the Go
// names) after "fault: ". The format's verbs take args, where a field,
// fieldList, fieldRef or setField is worded in the chosen terms.
type fieldError struct {
	format string
	args   []any
	err    error // wrapped, appended to both wordings after ": "; may be nil
}

// field is a Fault field's Go name, such as "DropAfterApply"; its JSON
// name is faultJSON's member, "drop_after_apply".
type field string

// fieldList is fields joined as "A, B or C" (or "and"). In JSON terms a
// field the control surface cannot set (Respond) is left out.
type fieldList struct {
	conj   string
	fields []field
}

// anyOf is "A, B or C".
func anyOf(f ...field) fieldList { return fieldList{"or", f} }

// allOf is "A, B and C".
func allOf(f ...field) fieldList { return fieldList{"and", f} }

// fieldRef refers to a field as a place: "Fault.Action" in Go terms,
// `the "action" member` in JSON ones.
type fieldRef field

// setField is the fix of setting a bool field: "set CustomErrorType" in Go
// terms, `set "custom_error_type": true` in JSON ones.
type setField field

func (e *fieldError) Error() string { return "simulator: AddFault: " + e.words(false) }

// json is the message in the control surface's terms.
func (e *fieldError) json() string { return "fault: " + e.words(true) }

func (e *fieldError) Unwrap() error { return e.err }

func (e *fieldError) words(asJSON bool) string {
	name := func(f field) (string, bool) {
		if !asJSON {
			return string(f), true
		}
		n, ok := faultMembers()[string(f)]
		return n, ok
	}
	args := make([]any, len(e.args))
	for i, a := range e.args {
		switch a := a.(type) {
		case field:
			n, _ := name(a)
			args[i] = n
		case fieldRef:
			if n, ok := name(field(a)); ok && asJSON {
				args[i] = fmt.Sprintf("the %q member", n)
			} else {
				args[i] = "Fault." + string(a)
			}
		case setField:
			if n, ok := name(field(a)); ok && asJSON {
				args[i] = fmt.Sprintf("set %q: true", n)
			} else {
				args[i] = "set " + string(a)
			}
		case fieldList:
			var names []string
			for _, f := range a.fields {
				if n, ok := name(f); ok {
					names = append(names, n)
				}
			}
			args[i] = joinWords(names, a.conj)
		default:
			args[i] = a
		}
	}
	msg := fmt.Sprintf(e.format, args...)
	if e.err != nil {
		msg += ": " + e.err.Error()
	}
	return msg
}

// joinWords is "a, b or c".
func joinWords(words []string, conj string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// faultMembers maps the Go names of faultJSON's fields, which are Fault's,
// to their JSON members.
var faultMembers = sync.OnceValue(func() map[string]string {
	t := reflect.TypeFor[faultJSON]()
	m := make(map[string]string, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		n, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		m[sf.Name] = n
	}
	return m
})

// controlMessage is err as the control surface answers it: a fieldError in
// its JSON terms, anything else as it is.
func controlMessage(err error) string {
	if fe := (*fieldError)(nil); errors.As(err, &fe) {
		return fe.json()
	}
	return err.Error()
}

// jsonDecodeError words an error decoding a JSON body in the body's terms:
// encoding/json's wording of a type mismatch names the Go struct field and
// type it decodes into ("Go struct field faultJSON.times of type int"),
// which a client of the wire has no name for; this names the member and
// the JSON types ("times: got string, want number").
func jsonDecodeError(err error) string {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	what := "the body"
	if te.Field != "" {
		what = te.Field
	}
	got, _, _ := strings.Cut(te.Value, " ") // "number -5"
	return fmt.Sprintf("%s: got %s, want %s", what, got, jsonKind(te.Type))
}

// jsonKind is the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	default:
		return "another type"
	}
}
