package main

import (
	"slices"
	"sort"
	"strings"
)

// knownEnv lists every HVC_* variable hvcctl reads; any other HVC_* variable
// draws a warning (a misspelled one must not be silently ignored).
var knownEnv = []string{
	"HVC_URL", "HVC_USERNAME", "HVC_PASSWORD", "HVC_PASSWORD_FILE", "HVC_THUMBPRINT",
	"HVC_INSECURE", "HVC_TLS_CA_CERTS", "HVC_TLS_KNOWN_HOSTS", "HVC_FLAVOR",
	"HVC_PERSIST_SESSION", "HVC_DEBUG",
	"HVC_PSC_HOSTNAME", "HVC_PSC_DOMAIN", "HVC_PSC_USERNAME", "HVC_PSC_PORT",
	"HVC_PSC_THUMBPRINT", "HVC_PSC_PASSWORD", "HVC_PSC_PASSWORD_FILE",
}

// env returns the value of an HVC_* variable, falling back to the GOVC_*
// variable of the same suffix when the HVC_* one is unset or empty.
func (a *app) env(name string) (string, bool) {
	if v, ok := a.lookupEnv(name); ok && v != "" {
		return v, true
	}
	if rest, ok := strings.CutPrefix(name, "HVC_"); ok {
		if v, ok := a.lookupEnv("GOVC_" + rest); ok && v != "" {
			return v, true
		}
	}
	return "", false
}

// envSource names the variable env(name) took its value from.
func (a *app) envSource(name string) string {
	if v, ok := a.lookupEnv(name); ok && v != "" {
		return name
	}
	return "GOVC_" + strings.TrimPrefix(name, "HVC_")
}

// simEnv lists the HVC_* variables "hvcctl sim" prints that no command
// reads; they draw no warning either.
var simEnv = []string{"HVC_READONLY_USERNAME", "HVC_READONLY_PASSWORD"}

// providerEnv lists the HVC_* variables the Terraform provider
// (terraform-provider-hvc) reads besides hvcctl's own, from the same
// environment; hvcctl ignores them without a warning.
var providerEnv = []string{"HVC_API_TIMEOUT"}

// warnUnknownEnv warns about HVC_* variables hvcctl does not know, naming
// the closest known one.
func (a *app) warnUnknownEnv() {
	known := map[string]bool{}
	for _, k := range slices.Concat(knownEnv, simEnv, providerEnv) {
		known[k] = true
	}
	var unknown []string
	for _, kv := range a.environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "HVC_") && !known[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		hint := ""
		if s := closest(name, knownEnv); s != "" {
			hint = " (did you mean " + s + "?)"
		}
		a.warnf("unknown environment variable %s is ignored%s", name, hint)
	}
}

// closest returns the candidate s is a likely misspelling of: the only one
// s is a prefix of or that is a prefix of s (HVC_USER, HVC_URLS), else the
// nearest one at edit distance 2 or less. Anything further gets no guess: a
// wrong suggestion misleads more than none.
func closest(s string, candidates []string) string {
	var prefixed []string
	for _, c := range candidates {
		if strings.HasPrefix(c, s) || strings.HasPrefix(s, c) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
