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
