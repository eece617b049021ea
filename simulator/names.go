package simulator

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on the names and ids the simulator stores or looks up. No
// published source gives the hvc API's own limits; these are our reading
// (docs/simulator.md, "Bounds"):
const (
	// maxDomainName and maxLabel are RFC 1035's limits, which VMware's
	// deployment guide states for vCenter Single Sign-On domain names: at
	// most 253 characters, each dot-separated label at most 63.
	maxDomainName = 253
	maxLabel      = 63
	// maxHostname is the DNS limit for a PSC's host name (an IP address,
	// IPv6 included, is shorter).
	maxHostname = 253
	// maxPrincipal bounds user and group names, name@domain: 256 for the
	// name (Active Directory's sAMAccountName range), '@', 253 for the
	// domain, rounded up.
	maxPrincipal = 512
	// maxID bounds link and provider ids in paths.
	maxID = 255
)

// checkText refuses a name vCenter could not store: invalid UTF-8 (which
// JSON decoding turns into U+FFFD, so that is refused too), NUL and other
// control characters, or more than max characters. The message names the
// field and the rule, never the value, which may be large or unprintable.
func checkText(field, v string, max int) *stdError {
	if !utf8.ValidString(v) || strings.ContainsRune(v, utf8.RuneError) {
		return errInvalidArgument(field, "is not valid UTF-8")
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return errInvalidArgument(field, "must not contain control characters")
	}
	if utf8.RuneCountInString(v) > max {
		return errInvalidArgument(field, "is longer than "+strconv.Itoa(max)+" characters")
	}
	return nil
}

// checkDomain is checkText for an SSO domain name, with RFC 1035's label
// bound.
func checkDomain(field, v string) *stdError {
	if e := checkText(field, v, maxDomainName); e != nil {
		return e
	}
	for label := range strings.SplitSeq(v, ".") {
		if utf8.RuneCountInString(label) > maxLabel {
			return errInvalidArgument(field, "has a label longer than "+strconv.Itoa(maxLabel)+" characters")
		}
	}
	return nil
}

// checkID is checkText for an id taken from a path (link, provider).
func checkID(name, v string) *stdError {
	return checkText(name, v, maxID)
}
