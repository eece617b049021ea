package hvc

import (
	"context"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
)

// AdministratorsService manages the groups with hvc administrator rights
// (com.vmware.vcenter.hvc.management.administrators).
type AdministratorsService service

// Get returns the administrator groups ("group@domain").
//
// HTTP: GET /api/hvc/management/administrators or legacy GET
// /rest/hvc/management/administrators (200). Declared errors: *GenericError.
func (s *AdministratorsService) Get(ctx context.Context) ([]string, error) {
	var out []string
	err := s.c().do(ctx, &call{op: ops.AdministratorsGet, out: &out})
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
		if err := checkGroup(ops.AdministratorsSet, "group_names", g); err != nil {
			return err
		}
	}
	if groups == nil {
		groups = []string{}
	}
	return s.c().do(ctx, &call{op: ops.AdministratorsSet,
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
	return s.action(ctx, ops.AdministratorsAdd, group)
}

// Remove removes one administrator group.
//
// HTTP: POST /api/hvc/management/administrators?action=remove (204) or
// legacy POST /rest/…?action=remove (200), body {"group_name":"…"}.
// Declared errors: *UnauthorizedError, *GenericError.
func (s *AdministratorsService) Remove(ctx context.Context, group string) error {
	return s.action(ctx, ops.AdministratorsRemove, group)
}

func (s *AdministratorsService) action(ctx context.Context, op *ops.Op, group string) error {
	if err := checkGroup(op, "group_name", group); err != nil {
		return err
	}
	return s.c().do(ctx, &call{op: op,
		body: struct {
			GroupName string `json:"group_name"`
		}{group}})
}

func checkGroup(op *ops.Op, field, g string) error {
	if strings.TrimSpace(g) == "" {
		return refused(op, field, "must not be empty")
	}
	return nil
}
