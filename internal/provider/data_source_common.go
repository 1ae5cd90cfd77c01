package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// dataSourceBase carries what every data source of the provider needs: the client handed over by the
// provider's Configure. Data sources embed it and get Configure for free.
type dataSourceBase struct {
	data *providerData
}

// Configure stores the provider data. It is called with nil provider data while Terraform validates a
// configuration before the provider is configured; that is not an error.
func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.data = pd
	}
}

// client returns the configured client, or adds an error and returns nil (see configuredClient).
func (d *dataSourceBase) client(diags *diag.Diagnostics) *supvisors.Client {
	return configuredClient(d.data, "data source", diags)
}

// logContext masks the password in what the data source logs (see providerData.logContext).
func (d *dataSourceBase) logContext(ctx context.Context) context.Context {
	return d.data.logContext(ctx)
}

// begin opens a Read: the configured client and the log masking (c is nil when diags got an error).
func (d *dataSourceBase) begin(ctx context.Context, diags *diag.Diagnostics) (context.Context, *supvisors.Client) {
	c := d.client(diags)
	if c == nil {
		return ctx, nil
	}
	return d.logContext(ctx), c
}

// beginWith is begin for a data source read by one string argument, whose value it returns.
func (d *dataSourceBase) beginWith(ctx context.Context, config tfsdk.Config, attribute string, diags *diag.Diagnostics) (context.Context, *supvisors.Client, string) {
	ctx, c := d.begin(ctx, diags)
	if c == nil {
		return ctx, nil, ""
	}
	var v types.String
	diags.Append(config.GetAttribute(ctx, path.Root(attribute), &v)...)
	if diags.HasError() {
		return ctx, nil, ""
	}
	return ctx, c, v.ValueString()
}

// dsReadError turns a client error met while reading a data source into a diagnostic whose summary names
// what was being read; the detail is the provider's shared explanation of client errors (a cluster that
// stayed in a state refusing the call for ready_timeout is named with that state and what to do).
func dsReadError(diags *diag.Diagnostics, what string, err error) {
	diags.Append(clientReadErrorDiagnostic("Could not read "+what, err))
}

// knownApplicationsHint lists the applications known to the cluster, for "unknown application" errors. It
// returns "" when the list cannot be read (the caller's error is more important than this hint).
func knownApplicationsHint(ctx context.Context, c *supvisors.Client) string {
	snap, err := c.Snapshot(ctx)
	if err != nil {
		return ""
	}
	names := snap.ApplicationNames()
	if len(names) == 0 {
		return "The cluster knows no application."
	}
	return "Known applications: " + strings.Join(names, ", ") + "."
}

// knownInstancesHint lists the instances of the cluster as "host:port (nick)", for "unknown identifier" errors.
func knownInstancesHint(ctx context.Context, c *supvisors.Client) string {
	infos, err := c.GetAllInstancesInfo(ctx)
	if err != nil {
		return ""
	}
	known := make([]string, 0, len(infos))
	for _, info := range infos {
		known = append(known, fmt.Sprintf("%s (%s)", info.Identifier, info.NickIdentifier))
	}
	sort.Strings(known)
	return "Known instances: " + strings.Join(known, ", ") + "."
}

// stringsOrEmpty returns s, or an empty non-nil slice, so that an empty list reads as [] and not null.
func stringsOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// sortedStrings returns a sorted copy of s (never nil).
func sortedStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// stringValueOrNull maps the empty string to null; used where Supvisors sends "" for "none yet".
func stringValueOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
