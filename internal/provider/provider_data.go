package provider

import (
	"time"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client       *supvisors.Client
	readyTimeout time.Duration
}
