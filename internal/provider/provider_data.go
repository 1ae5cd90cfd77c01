package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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

// configuredClient returns the client of d, or adds an error and returns nil when the provider is not
// configured: its configuration depends on values that are not known yet (for example a URL computed by a
// resource that does not exist yet). what names the caller, e.g. "resource" or "data source".
func configuredClient(d *providerData, what string, diags *diag.Diagnostics) *supvisors.Client {
	if d == nil || d.client == nil {
		diags.AddError("Provider not configured",
			"The supvisors provider configuration depends on values that are not known yet, so this "+what+
				" cannot reach the cluster. Apply the resources that the provider configuration depends on first "+
				"(for example with -target).")
		return nil
	}
	return d.client
}

// resourceBase carries what every resource of the provider needs: the provider data handed over by the
// provider's Configure. Resources embed it and get Configure for free.
type resourceBase struct {
	data *providerData
}

// Configure stores the provider data. It is called with nil provider data while Terraform validates a
// configuration before the provider is configured; that is not an error.
func (r *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if d := providerDataFrom(req.ProviderData, &resp.Diagnostics); d != nil {
		r.data = d
	}
}

// client returns the configured client, or adds an error and returns nil (see configuredClient).
func (r *resourceBase) client(diags *diag.Diagnostics) *supvisors.Client {
	return configuredClient(r.data, "resource", diags)
}

// tflogAdapter gives the client a Logger that writes through tflog, masked as logContext does.
type tflogAdapter struct{ data *providerData }

// Debug logs one client event at DEBUG level.
func (a tflogAdapter) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(a.data.logContext(ctx), msg, fields)
}

// timeoutLimit is the Create, Update or Delete method of a timeouts block.
type timeoutLimit func(ctx context.Context, defaultTimeout time.Duration) (time.Duration, diag.Diagnostics)

// begin opens a handler that acts on the cluster: the configured client (an error in diags when there is none),
// the log masking of the password, and a context bounded by the timeouts block's limit (limit, defaulting to
// def). When diags holds an error afterwards (this one's or an earlier one), the client is nil and the caller
// returns. cancel is never nil.
func (r *resourceBase) begin(ctx context.Context, diags *diag.Diagnostics, limit timeoutLimit, def time.Duration) (context.Context, *supvisors.Client, context.CancelFunc) {
	c := r.client(diags)
	if diags.HasError() {
		return ctx, nil, func() {}
	}
	timeout, d := limit(ctx, def)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, nil, func() {}
	}
	ctx, cancel := context.WithTimeout(r.data.logContext(ctx), timeout)
	return ctx, c, cancel
}
