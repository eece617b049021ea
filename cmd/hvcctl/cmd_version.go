package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc"
)

// buildVersion is set with -ldflags "-X main.buildVersion=v1.2.3"; otherwise
// the module version from the build info is used.
var buildVersion string

// version is hvcctl's version, read once: the root command and the user
// agent both need it, and the build info costs a parse of its own.
var version = sync.OnceValue(func() string {
	if buildVersion != "" {
		return buildVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
})

func versionString() string {
	return fmt.Sprintf("hvcctl %s (hvc SDK %s, %s)", version(), hvc.Version, runtime.Version())
}

// versionOut is the version command's output.
type versionOut struct {
	Version    string `json:"version"`
	SDKVersion string `json:"sdk_version"`
	GoVersion  string `json:"go_version"`
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use: "version", Short: "Print hvcctl's version",
		Args: args(0, 0, "no arguments"),
		RunE: func(*cobra.Command, []string) error {
			out := versionOut{Version: version(), SDKVersion: hvc.Version, GoVersion: runtime.Version()}
			return a.emit(out, func(w io.Writer) { fmt.Fprintln(w, versionString()) })
		},
	}
}
