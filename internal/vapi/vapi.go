// Package vapi reads and writes vAPI typed values as VMware's JSON-RPC 2.0
// transport encodes them: {"STRUCTURE":{name:{fields}}}, {"OPTIONAL":v},
// {"SECRET":"…"}, {"ERROR":{name:{fields}}}, JSON arrays for lists and sets,
// and plain JSON strings, numbers, booleans and null. Decoding is bounded in
// size and nesting depth and never panics.
package vapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// Bounds of Decode.
const (
	// MaxDepth is the deepest JSON nesting Decode accepts (objects and
	// arrays); a typed structure field costs three levels.
	MaxDepth = 32
	// MaxSize is the largest input Decode accepts, in bytes.
	MaxSize = 1 << 20
)

// Kind is the kind of a Value.
type Kind int

// The kinds of vAPI values.
const (
	Null Kind = iota
	Bool
	Number
	String
	List
	Structure
	Optional
	Secret
	Error
)

var kindNames = [...]string{"null", "boolean", "number", "string", "list", "structure", "optional", "secret", "error"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// Value is one vAPI typed value.
type Value struct {
	Kind Kind
	// Str is a String's or Secret's text, a Number's literal, or the name
	// of a Structure or Error.
	Str string
	// Bool is a Bool's value.
	Bool bool
	// List holds a List's elements.
	List []Value
	// Fields holds a Structure's or Error's fields.
	Fields map[string]Value
	// Elem is an Optional's value, nil when unset.
	Elem *Value
}

// Constructors for building values.

// Str returns a string value.
func Str(s string) Value { return Value{Kind: String, Str: s} }

// Int returns an integer value.
func Int(n int64) Value { return Value{Kind: Number, Str: strconv.FormatInt(n, 10)} }

// Boolean returns a boolean value.
func Boolean(b bool) Value { return Value{Kind: Bool, Bool: b} }

// Secr returns a secret value.
func Secr(s string) Value { return Value{Kind: Secret, Str: s} }

// Opt returns an optional holding v, or unset when v is nil.
func Opt(v *Value) Value { return Value{Kind: Optional, Elem: v} }

// Some returns an optional holding v.
func Some(v Value) Value { return Value{Kind: Optional, Elem: &v} }

// None returns an unset optional.
func None() Value { return Value{Kind: Optional} }

// Struct returns a structure value named name.
func Struct(name string, fields map[string]Value) Value {
	return Value{Kind: Structure, Str: name, Fields: fields}
}

// Err returns an error value named name.
func Err(name string, fields map[string]Value) Value {
	return Value{Kind: Error, Str: name, Fields: fields}
}

// ListOf returns a list value.
func ListOf(vs ...Value) Value {
	if vs == nil {
		vs = []Value{}
	}
	return Value{Kind: List, List: vs}
}

// ErrTooLarge and ErrTooDeep report inputs beyond the bounds.
var (
	ErrTooLarge = errors.New("vapi: value larger than " + strconv.Itoa(MaxSize) + " bytes")
	ErrTooDeep  = errors.New("vapi: value nested deeper than " + strconv.Itoa(MaxDepth) + " levels")
)

// CheckBounds reports whether raw JSON is within MaxSize and MaxDepth,
// without parsing it; strings are skipped so that brackets inside them do
// not count. It is meant to run before encoding/json sees raw.
func CheckBounds(raw []byte) error {
	if len(raw) > MaxSize {
		return ErrTooLarge
	}
	depth, inStr, esc := 0, false, false
	for _, c := range raw {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			depth++
			if depth > MaxDepth {
				return ErrTooDeep
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// Decode reads one typed value from raw JSON.
func Decode(raw []byte) (Value, error) {
	if err := CheckBounds(raw); err != nil {
		return Value{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Value{}, fmt.Errorf("vapi: %w", err)
	}
	if dec.More() {
		return Value{}, errors.New("vapi: data after the value")
	}
	return FromJSON(v)
}

// FromJSON converts a value decoded by encoding/json (with UseNumber) into
// a typed value. Its nesting must already be bounded (see CheckBounds).
func FromJSON(v any) (Value, error) { return fromJSON(v, 0) }

func fromJSON(v any, depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, ErrTooDeep
	}
	switch x := v.(type) {
	case nil:
		return Value{Kind: Null}, nil
	case bool:
		return Boolean(x), nil
	case json.Number:
		return Value{Kind: Number, Str: x.String()}, nil
	case float64:
		return Value{Kind: Number, Str: strconv.FormatFloat(x, 'g', -1, 64)}, nil
	case string:
		return Str(x), nil
	case []any:
		out := make([]Value, 0, len(x))
		for i, e := range x {
			ev, err := fromJSON(e, depth+1)
			if err != nil {
				return Value{}, fmt.Errorf("[%d]: %w", i, err)
			}
			out = append(out, ev)
		}
		return ListOf(out...), nil
	case map[string]any:
		return fromObject(x, depth)
	}
	return Value{}, fmt.Errorf("vapi: unexpected %T", v)
}

func fromObject(m map[string]any, depth int) (Value, error) {
	if len(m) != 1 {
		return Value{}, fmt.Errorf("vapi: a typed value is an object with one member (STRUCTURE, OPTIONAL, SECRET or ERROR), not %d", len(m))
	}
	for tag, inner := range m {
		switch tag {
		case "OPTIONAL":
			if inner == nil {
				return None(), nil
			}
			ev, err := fromJSON(inner, depth+1)
			if err != nil {
				return Value{}, err
			}
			return Some(ev), nil
		case "SECRET":
			s, ok := inner.(string)
			if !ok {
				return Value{}, errors.New("vapi: SECRET holds a string")
			}
			return Secr(s), nil
		case "STRUCTURE", "ERROR":
			named, ok := inner.(map[string]any)
			if !ok || len(named) != 1 {
				return Value{}, fmt.Errorf("vapi: %s holds an object with one member, its type name", tag)
			}
			for name, fv := range named {
				fields, ok := fv.(map[string]any)
				if !ok {
					return Value{}, fmt.Errorf("vapi: %s %q holds an object of fields", tag, name)
				}
				out := make(map[string]Value, len(fields))
				for k, f := range fields {
					ev, err := fromJSON(f, depth+1)
					if err != nil {
						return Value{}, fmt.Errorf("%s.%s: %w", name, k, err)
					}
					out[k] = ev
				}
				kind := Structure
				if tag == "ERROR" {
					kind = Error
				}
				return Value{Kind: kind, Str: name, Fields: out}, nil
			}
		}
		return Value{}, fmt.Errorf("vapi: unknown type tag %q", truncate(tag))
	}
	return Value{}, errors.New("vapi: empty object") // unreachable
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// MarshalJSON encodes the value in the JSON-RPC encoding.
func (v Value) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := v.write(&b, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Encode is MarshalJSON.
func Encode(v Value) ([]byte, error) { return v.MarshalJSON() }

func (v Value) write(b *bytes.Buffer, depth int) error {
	if depth > MaxDepth {
		return ErrTooDeep
	}
	str := func(s string) {
		enc, _ := json.Marshal(s)
		b.Write(enc)
	}
	switch v.Kind {
	case Null:
		b.WriteString("null")
	case Bool:
		b.WriteString(strconv.FormatBool(v.Bool))
	case Number:
		if !json.Valid([]byte(v.Str)) || v.Str == "" || (v.Str[0] != '-' && (v.Str[0] < '0' || v.Str[0] > '9')) {
			return fmt.Errorf("vapi: bad number %q", truncate(v.Str))
		}
		b.WriteString(v.Str)
	case String:
		str(v.Str)
	case Secret:
		b.WriteString(`{"SECRET":`)
		str(v.Str)
		b.WriteByte('}')
	case Optional:
		b.WriteString(`{"OPTIONAL":`)
		if v.Elem == nil {
			b.WriteString("null")
		} else if err := v.Elem.write(b, depth+1); err != nil {
			return err
		}
		b.WriteByte('}')
	case List:
		b.WriteByte('[')
		for i, e := range v.List {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := e.write(b, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case Structure, Error:
		if v.Kind == Structure {
			b.WriteString(`{"STRUCTURE":{`)
		} else {
			b.WriteString(`{"ERROR":{`)
		}
		str(v.Str)
		b.WriteString(":{")
		keys := make([]string, 0, len(v.Fields))
		for k := range v.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			str(k)
			b.WriteByte(':')
			if err := v.Fields[k].write(b, depth+1); err != nil {
				return err
			}
		}
		b.WriteString("}}}")
	default:
		return fmt.Errorf("vapi: unknown kind %d", v.Kind)
	}
	return nil
}

// Plain strips the typing: a structure or error becomes an object of its
// fields, an optional its value or nil, a secret its string, a number a
// json.Number. The result marshals as the REST flavors' plain JSON.
func (v Value) Plain() any {
	switch v.Kind {
	case Bool:
		return v.Bool
	case Number:
		return json.Number(v.Str)
	case String, Secret:
		return v.Str
	case Optional:
		if v.Elem == nil {
			return nil
		}
		return v.Elem.Plain()
	case List:
		out := make([]any, 0, len(v.List))
		for _, e := range v.List {
			out = append(out, e.Plain())
		}
		return out
	case Structure, Error:
		out := make(map[string]any, len(v.Fields))
		for k, f := range v.Fields {
			out[k] = f.Plain()
		}
		return out
	}
	return nil
}

// Masked returns a copy of v with every secret's text replaced by mask.
func (v Value) Masked(mask string) Value {
	switch v.Kind {
	case Secret:
		return Secr(mask)
	case Optional:
		if v.Elem != nil {
			e := v.Elem.Masked(mask)
			return Some(e)
		}
	case List:
		out := make([]Value, len(v.List))
		for i, e := range v.List {
			out[i] = e.Masked(mask)
		}
		return ListOf(out...)
	case Structure, Error:
		out := make(map[string]Value, len(v.Fields))
		for k, f := range v.Fields {
			out[k] = f.Masked(mask)
		}
		return Value{Kind: v.Kind, Str: v.Str, Fields: out}
	}
	return v
}
