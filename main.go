// Command terraform-provider-supvisors serves the Supvisors provider to Terraform and OpenTofu
// over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/supvisors/terraform-provider-supvisors/internal/provider"
)

// Generate the documentation in docs/ from the schemas, templates/ and examples/.
//go:generate go tool tfplugindocs generate --provider-name supvisors --rendered-provider-name Supvisors

// version is set by the release build (goreleaser -ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	defer cpuProfile()()
	if !debug {
		quietUnlessLogging()
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/supvisors/supvisors",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// cpuProfile writes a CPU profile of this provider process to $TF_SUPVISORS_CPUPROFILE.<pid> when that
// variable is set (for `go run ./internal/bench -profile`; Terraform starts one provider process per phase), and
// returns the function that ends it.
func cpuProfile() func() {
	path := os.Getenv("TF_SUPVISORS_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err != nil {
		log.Printf("[WARN] CPU profile not written: %v", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Printf("[WARN] CPU profile not written: %v", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// quietUnlessLogging turns the SDK and provider loggers off when no TF_LOG* variable is set. Terraform and OpenTofu
// then discard every log line of the provider anyway, but terraform-plugin-go and the framework would still build
// and JSON-encode their trace lines: a quarter of the provider's CPU in a plan over 1000 resources. With any
// TF_LOG* variable set, logging is left exactly as configured.
func quietUnlessLogging() {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	for _, k := range []string{"TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		_ = os.Setenv(k, "OFF")
	}
}
