package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client       *supvisors.Client
	readyTimeout time.Duration
	// secret is the password, kept only to mask it in logs (defence in depth: the client never logs it).
	secret string
}

// logContext returns ctx with log masking of the password: any field named "password" and any occurrence of
// the password's value in messages and field values. Resources and data sources call it at the start of each
// method so that their own tflog calls are masked too.
func (d *providerData) logContext(ctx context.Context) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "password")
	if d != nil && d.secret != "" {
		ctx = tflog.MaskLogStrings(ctx, d.secret)
	}
	return ctx
}

// providerDataFrom extracts the provider data given to Configure of a resource or data source. It returns nil,
// without a diagnostic, when the provider is not configured yet (its configuration depends on values that are
// not known during this plan); callers then skip what needs the cluster.
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	d, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
		return nil
	}
	return d
}

// tflogAdapter gives the client a Logger that writes through tflog, masked as logContext does.
type tflogAdapter struct{ data *providerData }

// Debug logs one client event at DEBUG level.
func (a tflogAdapter) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(a.data.logContext(ctx), msg, fields)
}
