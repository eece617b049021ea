package simulator

import (
	"net/http"
	"strings"
)

func (s *Server) getAdmins(w http.ResponseWriter, _ *http.Request, f flavor, _ session) {
	s.mu.Lock()
	out := sortedStrings(s.admins)
	s.mu.Unlock()
	writeResult(w, f, false, out)
}

// setAdmins handles administrators set, body {"group_names":[...]}; the
// list is a set, so repeats collapse.
func (s *Server) setAdmins(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
	var body struct {
		GroupNames *[]string `json:"group_names"`
	}
	_, e := decodeInput(r, &body, operationInput, "group_names")
	if e == nil && body.GroupNames == nil {
		e = errInvalidArgument("group_names", "required field is missing")
	}
	if e == nil {
		for _, g := range *body.GroupNames {
			if e = checkGroup("group_names", g); e != nil {
				break
			}
		}
	}
	if e != nil {
		writeError(w, f, e)
		return
	}
	set := make(map[string]bool, len(*body.GroupNames))
	for _, g := range *body.GroupNames {
		set[g] = true
	}
	s.mu.Lock()
	s.admins = set
	s.mu.Unlock()
	writeResult(w, f, false, nil)
}

// changeAdmin handles administrators add and remove, body
// {"group_name":"..."}.
func (s *Server) changeAdmin(w http.ResponseWriter, r *http.Request, f flavor, add bool) {
	var body struct {
		GroupName *string `json:"group_name"`
	}
	_, e := decodeInput(r, &body, operationInput, "group_name")
	if e == nil && body.GroupName == nil {
		e = errInvalidArgument("group_name", "required field is missing")
	}
	if e == nil {
		e = checkGroup("group_name", *body.GroupName)
	}
	if e != nil {
		writeError(w, f, e)
		return
	}
	s.mu.Lock()
	if add {
		s.admins[*body.GroupName] = true
	} else {
		delete(s.admins, *body.GroupName)
	}
	s.mu.Unlock()
	writeResult(w, f, false, nil)
}

// checkGroup requires the group@domain form and a name within checkText's
// rules.
func checkGroup(field, g string) *stdError {
	if e := checkText(field, g, maxPrincipal); e != nil {
		return e
	}
	if i := strings.IndexByte(g, '@'); i <= 0 || i == len(g)-1 {
		return errInvalidArgument(field, "a group name has the form group@domain")
	}
	return nil
}
