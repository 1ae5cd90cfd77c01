// Command terraform-provider-supvisors serves the Supvisors provider to Terraform and OpenTofu
// over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

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

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/supvisors/supvisors",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
