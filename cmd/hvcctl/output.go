package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hvcsdk/hvc"
)

// The output types below are hvcctl's JSON/YAML contract: their snake_case
// field names follow the API and do not change between releases. Every
// field is always present; an absent value is null.

// linkOut is one link (link ls, link create).
type linkOut struct {
	Link        string `json:"link"`
	DisplayName string `json:"display_name"`
}

// linkInfoOut is a link's health (link get).
type linkInfoOut struct {
	Link                   string      `json:"link"`
	ConnectionHealthStatus *string     `json:"connection_health_status"`
	HealthStatusMessage    *messageOut `json:"health_status_message"`
}

// linkDeletedOut reports link rm.
type linkDeletedOut struct {
	Link    string `json:"link"`
	Deleted bool   `json:"deleted"`
}

// messageOut is a server message (localizable_message).
type messageOut struct {
	ID             string   `json:"id"`
	DefaultMessage string   `json:"default_message"`
	Args           []string `json:"args"`
}

// providerOut is a sync provider's state (sync get, sync ls, sync wait).
type providerOut struct {
	Link                     string          `json:"link"`
	Provider                 string          `json:"provider"`
	Status                   string          `json:"status"`
	LastSyncTime             *timeOut        `json:"last_sync_time"`
	PollingIntervalInSeconds int64           `json:"polling_interval_in_seconds"`
	CurrentSessionInfo       *sessionInfoOut `json:"current_session_info"`
	StatusMessage            *messageOut     `json:"status_message"`
}

// sessionInfoOut is a sync session's progress.
type sessionInfoOut struct {
	Stage          string      `json:"stage"`
	CompletedWork  int64       `json:"completed_work"`
	TotalWork      int64       `json:"total_work"`
	StartTime      *timeOut    `json:"start_time"`
	CompletionTime *timeOut    `json:"completion_time"`
	Exception      *messageOut `json:"exception"`
}

// syncStartedOut reports sync start without --wait, one per provider.
type syncStartedOut struct {
	Link     string `json:"link"`
	Provider string `json:"provider"`
	Started  bool   `json:"started"`
	// Error is why the sync did not start (null when it started); the
	// error report on stderr gives the details and the exit code.
	Error *string `json:"error"`
}

// syncResetOut reports sync reset.
type syncResetOut struct {
	Link  string `json:"link"`
	Reset bool   `json:"reset"`
}

// adminsOut is the administrator groups (admin ls/add/rm/set).
type adminsOut struct {
	GroupNames []string `json:"group_names"`
}

func message(m *hvc.LocalizableMessage) *messageOut {
	if m == nil {
		return nil
	}
	args := m.Args
	if args == nil {
		args = []string{}
	}
	return &messageOut{ID: m.ID, DefaultMessage: m.Text(), Args: args}
}

// timeLayout is the one time format of JSON and YAML output: RFC 3339 in
// UTC with exactly three fractional digits (vCenter's own precision).
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// timeOut is a time in the output contract, written in timeLayout whatever
// its source's precision (the server's milliseconds, the local clock's
// nanoseconds, a certificate's seconds).
type timeOut struct{ time.Time }

// MarshalJSON writes the time in timeLayout, in UTC.
func (t timeOut) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.UTC().Format(timeLayout))
}

// outTime converts t for output; nil for nil or the zero time.
func outTime(t *time.Time) *timeOut {
	if t == nil || t.IsZero() {
		return nil
	}
	return &timeOut{t.UTC()}
}

func provider(link, id string, info hvc.ProviderInfo) providerOut {
	p := providerOut{Link: link, Provider: id, Status: string(info.Status), LastSyncTime: outTime(info.LastSyncTime),
		PollingIntervalInSeconds: info.PollingIntervalInSeconds, StatusMessage: message(info.StatusMessage)}
	if s := info.CurrentSessionInfo; s != nil {
		start := s.StartTime
		p.CurrentSessionInfo = &sessionInfoOut{Stage: string(s.Stage), CompletedWork: s.CompletedWork, TotalWork: s.TotalWork,
			StartTime: outTime(&start), CompletionTime: outTime(s.CompletionTime), Exception: message(s.Exception)}
	}
	return p
}

// emit writes v as JSON or YAML, or calls table for -o table.
func (a *app) emit(v any, table func(w io.Writer)) error {
	switch a.g.output {
	case "json":
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(a.stdout, string(b))
		return err
	case "yaml":
		b, err := toYAML(v)
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(b)
		return err
	}
	// The table goes out in one write, not one per cell.
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 3, ' ', 0)
	table(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := a.stdout.Write(buf.Bytes())
	return err
}

// toYAML renders v with the same keys, in the same order, as its JSON form:
// the JSON is converted token by token into a YAML node tree.
func toYAML(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := yamlNode(dec)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func yamlNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string)
				v, err := yamlNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for dec.More() {
				v, err := yamlNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
			_, err := dec.Token()
			return n, err
		}
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(t.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, errors.New("unexpected JSON token")
}

// cell formats optional values for tables.
func cellTime(t *timeOut) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func cell(s string) string {
	if s == "" {
		return "-"
	}
	return clean(s)
}
