package hvc

import "strconv"

// Flavor selects which of vCenter's two REST APIs the client speaks.
type Flavor int

const (
	// FlavorAuto tries the /api flavor at the first login and falls back to
	// the legacy /rest flavor for good when the server answers 404 (a vCenter
	// older than 7.0U2). It is the default.
	FlavorAuto Flavor = iota
	// FlavorAPI speaks the /api flavor (vCenter 7.0U2 and newer).
	FlavorAPI
	// FlavorREST speaks the legacy /rest flavor (vCenter 6.5 to 8.0).
	FlavorREST
)

// String returns "auto", "api" or "rest".
func (f Flavor) String() string {
	switch f {
	case FlavorAuto:
		return "auto"
	case FlavorAPI:
		return "api"
	case FlavorREST:
		return "rest"
	default:
		return "Flavor(" + strconv.Itoa(int(f)) + ")"
	}
}
