package hvc

import "github.com/hvcsdk/hvc/internal/wire"

// Flavor selects which of vCenter's two REST APIs the client speaks. Its
// String method returns "auto", "api" or "rest". It is the module's one
// flavor type (defined in internal/wire, which the simulator shares), so
// the SDK, the wire encoding and the simulator cannot disagree on it.
type Flavor = wire.Flavor

const (
	// FlavorAuto tries the /api flavor at the first login and falls back to
	// the legacy /rest flavor for good when the server answers 404 (a vCenter
	// older than 7.0U2). It is the default, and the zero Flavor.
	FlavorAuto Flavor = wire.Auto
	// FlavorAPI speaks the /api flavor (vCenter 7.0U2 and newer).
	FlavorAPI Flavor = wire.API
	// FlavorREST speaks the legacy /rest flavor (vCenter 6.5 to 8.0).
	FlavorREST Flavor = wire.REST
)

// settle records the flavor a login or probe found, unless one is known.
func (c *Client) settle(f Flavor) {
	c.flavor.CompareAndSwap(int32(FlavorAuto), int32(f)) //nolint:gosec // G115: a Flavor constant, 0 to 2
}
