package hvc

import (
	"context"
	"net/http"
	"strings"
)

// AdministratorsService manages the groups with hvc administrator rights
// (com.vmware.vcenter.hvc.management.administrators).
type AdministratorsService service

const adminsPath = "/hvc/management/administrators"

// Get returns the administrator groups ("group@domain").
//
// HTTP: GET /api/hvc/management/administrators or legacy GET
// /rest/hvc/management/administrators (200). Declared errors: *GenericError.
func (s *AdministratorsService) Get(ctx context.Context) ([]string, error) {
	var out []string
	err := s.client.do(ctx, &call{method: http.MethodGet, path: adminsPath, out: &out})
	return out, err
}

// Set replaces the administrator groups with groups (a set: the server
// drops duplicates). An empty or nil groups removes them all.
//
// HTTP: PUT /api/hvc/management/administrators (204) or legacy PUT
// /rest/hvc/management/administrators (200), body {"group_names":[…]}.
// Declared errors: *UnauthorizedError, *GenericError.
func (s *AdministratorsService) Set(ctx context.Context, groups []string) error {
	for _, g := range groups {
		if err := checkGroup(http.MethodPut, adminsPath, "group_names", g); err != nil {
			return err
		}
	}
	if groups == nil {
		groups = []string{}
	}
	return s.client.do(ctx, &call{method: http.MethodPut, path: adminsPath,
		body: struct {
			GroupNames []string `json:"group_names"`
		}{groups}})
}

// Add adds one administrator group.
//
// HTTP: POST /api/hvc/management/administrators?action=add (204) or legacy
// POST /rest/…?action=add (200), body {"group_name":"…"}. Declared errors:
// *UnauthorizedError, *GenericError.
func (s *AdministratorsService) Add(ctx context.Context, group string) error {
	return s.action(ctx, "add", group)
}

// Remove removes one administrator group.
//
// HTTP: POST /api/hvc/management/administrators?action=remove (204) or
// legacy POST /rest/…?action=remove (200), body {"group_name":"…"}.
// Declared errors: *UnauthorizedError, *GenericError.
func (s *AdministratorsService) Remove(ctx context.Context, group string) error {
	return s.action(ctx, "remove", group)
}

func (s *AdministratorsService) action(ctx context.Context, action, group string) error {
	if err := checkGroup(http.MethodPost, adminsPath+"?action="+action, "group_name", group); err != nil {
		return err
	}
	return s.client.do(ctx, &call{method: http.MethodPost, path: adminsPath, query: "action=" + action,
		body: struct {
			GroupName string `json:"group_name"`
		}{group}})
}

func checkGroup(method, path, field, g string) error {
	if strings.TrimSpace(g) == "" {
		return invalidArgument(method, path, field, "must not be empty")
	}
	return nil
}
