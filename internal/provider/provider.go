// Package provider implements the Supvisors Terraform provider: its configuration, resources and data sources.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// Defaults of the provider configuration.
const (
	defaultRequestTimeout = 30 * time.Second
	defaultReadyTimeout   = 2 * time.Minute
)

// Environment variables read when the matching attribute is not set, in order of precedence.
var (
	envURL      = []string{"SUPVISORS_URL", "SUPERVISOR_SERVER_URL"}
	envUsername = []string{"SUPVISORS_USERNAME", "SUPERVISOR_USERNAME"}
	envPassword = []string{"SUPVISORS_PASSWORD", "SUPERVISOR_PASSWORD"}
)

var _ provider.Provider = (*supvisorsProvider)(nil)

// supvisorsProvider is the provider implementation.
type supvisorsProvider struct {
	// version is "dev" for local builds, "test" in acceptance tests, the release version otherwise.
	version string
	// getenv reads the environment; tests replace it.
	getenv func(string) string
}

// providerModel is the provider block.
type providerModel struct {
	URL            types.String `tfsdk:"url"`
	Username       types.String `tfsdk:"username"`
	Password       types.String `tfsdk:"password"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	ReadyTimeout   types.String `tfsdk:"ready_timeout"`
	CAFile         types.String `tfsdk:"ca_file"`
	Insecure       types.Bool   `tfsdk:"insecure"`
	InstanceURLs   types.Map    `tfsdk:"instance_urls"`
}

// New returns the constructor of the provider; version is reported to Terraform.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &supvisorsProvider{version: version, getenv: os.Getenv}
	}
}

// Metadata sets the type name prefix "supvisors" and the version.
func (p *supvisorsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "supvisors"
	resp.Version = p.version
}

// Schema describes the provider block.
func (p *supvisorsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Supvisors provider manages the applications and process groups of a " +
			"[Supvisors](https://github.com/julien6387/supvisors) cluster (Supervisor with the Supvisors plugin) " +
			"over XML-RPC, and reads the cluster's state, strategies, rules and instances. " +
			"It talks to any one Supvisors instance; commands take effect cluster-wide.\n\n" +
			"Configuring the provider never contacts the server: connection problems show up in the first " +
			"plan or apply that needs the cluster.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				MarkdownDescription: "URL of the XML-RPC endpoint of one Supvisors instance: `http://host:port`, " +
					"`https://host:port` (e.g. behind a TLS proxy) or `unix:///path/to/supervisor.sock`. " +
					"A URL without a path uses `/RPC2`. Do not put credentials in the URL. " +
					"Defaults to the environment variable `SUPVISORS_URL`, then `SUPERVISOR_SERVER_URL`; one of them " +
					"is required.",
				Optional:   true,
				Validators: []validator.String{validators.URL()},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "User name for HTTP basic authentication (the `[inet_http_server]` or " +
					"`[unix_http_server]` credentials, the same on every instance). Defaults to the environment " +
					"variable `SUPVISORS_USERNAME`, then `SUPERVISOR_USERNAME`. Leave unset when the server has no " +
					"credentials.",
				Optional: true,
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Password for HTTP basic authentication. Defaults to the environment variable " +
					"`SUPVISORS_PASSWORD`, then `SUPERVISOR_PASSWORD`. Sensitive: it never appears in logs, " +
					"diagnostics or state.",
				Optional:  true,
				Sensitive: true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Time limit of one HTTP exchange with the server, as a duration "+
					"such as `30s` or `1m`. Defaults to `%s`.", durationString(defaultRequestTimeout)),
				Optional:   true,
				Validators: []validator.String{validators.Duration()},
			},
			"ready_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long a call waits for the cluster to reach a state that "+
					"accepts it (Supvisors answers `BAD_SUPVISORS_STATE` while it synchronises, elects a master or "+
					"is in conciliation), how long a refresh of a resource waits for a state whose answer is final "+
					"(`OPERATION` or `CONCILIATION`: while the cluster synchronises, elects, distributes or restarts, "+
					"Supvisors may be about to start what a read would show stopped), and how long reads retry an "+
					"unreachable server. Defaults to `%s`.",
					durationString(defaultReadyTimeout)),
				Optional:   true,
				Validators: []validator.String{validators.Duration()},
			},
			"ca_file": schema.StringAttribute{
				MarkdownDescription: "Path of a PEM file with the certificate authorities that sign the server " +
					"certificate, for `https://` URLs. Defaults to the system's trust store.",
				Optional: true,
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip the verification of the server certificate of `https://` URLs. " +
					"For tests only. Defaults to `false`.",
				Optional: true,
			},
			"instance_urls": schema.MapAttribute{
				MarkdownDescription: "URLs of individual instances, keyed by identifier (`host:port`) or nickname, " +
					"for the calls that act only on the instance that receives them (`update_numprocs`, `enable`, " +
					"`disable`, `start_args`). By default such an instance is reached at `node_name:port` as " +
					"Supvisors reports it, with the scheme and credentials of `url`.",
				Optional:    true,
				ElementType: types.StringType,
				Validators:  []validator.Map{mapvalidator.ValueStringsAre(validators.URL())},
			},
		},
	}
}

// Configure builds the client from the provider block and the environment. It validates everything it can but
// never contacts the server.
func (p *supvisorsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if unknown := m.unknownAttributes(); len(unknown) > 0 {
		// Values computed from resources that do not exist yet. Terraform configures the provider again with
		// the real values before any apply; until then resources and data sources get no client and skip
		// what needs the cluster.
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		}
		tflog.Debug(ctx, "Supvisors provider configuration is not known yet", map[string]any{"unknown_attributes": unknown})
		return
	}

	cfg, diags := m.clientConfig(p.getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	data := &providerData{readyTimeout: cfg.ReadyTimeout, secret: cfg.Password}
	cfg.Logger = tflogAdapter{data: data}
	ctx = data.logContext(ctx)

	client, err := supvisors.New(cfg)
	if err != nil {
		resp.Diagnostics.Append(clientErrorDiagnostic("Invalid Supvisors provider configuration", err))
		return
	}
	data.client = client

	tflog.Debug(ctx, "Configured the Supvisors client", map[string]any{
		"url":             client.Endpoint(),
		"username_set":    cfg.Username != "",
		"request_timeout": cfg.RequestTimeout.String(),
		"ready_timeout":   cfg.ReadyTimeout.String(),
	})
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data // features.go
	resp.ActionData = data
}

// unknownAttributes lists the attributes whose values are not known yet.
func (m providerModel) unknownAttributes() []string {
	var out []string
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"url": m.URL, "username": m.Username, "password": m.Password, "request_timeout": m.RequestTimeout,
		"ready_timeout": m.ReadyTimeout, "ca_file": m.CAFile, "insecure": m.Insecure, "instance_urls": m.InstanceURLs,
	} {
		if v.IsUnknown() {
			out = append(out, name)
		}
	}
	if !m.InstanceURLs.IsUnknown() && !m.InstanceURLs.IsNull() {
		for k, v := range m.InstanceURLs.Elements() {
			if v.IsUnknown() {
				out = append(out, fmt.Sprintf("instance_urls[%q]", k))
			}
		}
	}
	return out
}

// clientConfig turns the (fully known) provider block and the environment into a client configuration.
// It repeats the plan-time checks for values that come from the environment.
func (m providerModel) clientConfig(getenv func(string) string) (supvisors.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := supvisors.Config{RequestTimeout: defaultRequestTimeout, ReadyTimeout: defaultReadyTimeout}
	cfg.URL = configuredURL(m.URL, getenv, &diags)
	cfg.Username, cfg.Password = m.credentials(getenv, &diags)
	if d, ok := parseDurationAttr(m.RequestTimeout, "request_timeout", &diags); ok {
		cfg.RequestTimeout = d
	}
	if d, ok := parseDurationAttr(m.ReadyTimeout, "ready_timeout", &diags); ok {
		cfg.ReadyTimeout = d
	}
	m.setTLS(&cfg, &diags)
	cfg.InstanceURLs = m.instanceURLs(&diags)
	return cfg, diags
}

// configuredURL is the url of the provider block or the environment, checked (an error at url when it is
// missing or not usable).
func configuredURL(v types.String, getenv func(string) string, diags *diag.Diagnostics) string {
	url, source := fromConfigOrEnv(v, envURL, getenv)
	if url == "" {
		diags.AddAttributeError(path.Root("url"), "Missing Supvisors URL",
			"Set url in the provider block, or the environment variable SUPVISORS_URL (or SUPERVISOR_SERVER_URL), "+
				"to the XML-RPC endpoint of one Supvisors instance, e.g. http://127.0.0.1:61001 or "+
				"unix:///run/supervisor.sock.")
	} else if err := validators.CheckURL(url); err != nil {
		diags.AddAttributeError(path.Root("url"), "Invalid Supvisors URL", fmt.Sprintf("The URL from %s is not usable: %s.", source, err))
	}
	return url
}

// credentials are the user name and password of the provider block or the environment: both, or neither (an
// error names the one missing and where the other came from).
func (m providerModel) credentials(getenv func(string) string, diags *diag.Diagnostics) (username, password string) {
	username, userSource := fromConfigOrEnv(m.Username, envUsername, getenv)
	password, passwordSource := fromConfigOrEnv(m.Password, envPassword, getenv)
	if password != "" && username == "" {
		diags.AddAttributeError(path.Root("username"), "Missing Supvisors user name",
			fmt.Sprintf("A password is set (from %s) but no user name: set username (or SUPVISORS_USERNAME) too.", passwordSource))
	}
	if username != "" && password == "" {
		diags.AddAttributeError(path.Root("password"), "Missing Supvisors password",
			fmt.Sprintf("A user name is set (from %s) but no password: set password (or SUPVISORS_PASSWORD) too.", userSource))
	}
	return username, password
}

// setTLS sets the TLS settings of cfg. They only mean something for https; with another scheme they are
// dropped with a warning (the URL may come from the environment, which switches between servers).
func (m providerModel) setTLS(cfg *supvisors.Config, diags *diag.Diagnostics) {
	if !strings.HasPrefix(strings.ToLower(cfg.URL), "https://") {
		if m.CAFile.ValueString() != "" {
			diags.AddAttributeWarning(path.Root("ca_file"), "ca_file is ignored",
				"ca_file applies to https:// URLs only; the provider URL does not use https.")
		}
		if m.Insecure.ValueBool() {
			diags.AddAttributeWarning(path.Root("insecure"), "insecure is ignored",
				"insecure applies to https:// URLs only; the provider URL does not use https.")
		}
		return
	}
	cfg.CAFile = m.CAFile.ValueString()
	cfg.Insecure = m.Insecure.ValueBool()
	if cfg.Insecure {
		diags.AddAttributeWarning(path.Root("insecure"), "TLS certificate not verified",
			"insecure = true: the provider does not verify the certificate of the https server, so anyone "+
				"on the network path can pose as it and read the credentials. Use it for tests only; set "+
				"ca_file to the certificate authority of the server instead.")
	}
}

// instanceURLs is the instance_urls map (nil when unset); an element without a value is an error.
func (m providerModel) instanceURLs(diags *diag.Diagnostics) map[string]string {
	if m.InstanceURLs.IsNull() {
		return nil
	}
	urls := make(map[string]string, len(m.InstanceURLs.Elements()))
	for k, v := range m.InstanceURLs.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsNull() {
			diags.AddAttributeError(path.Root("instance_urls").AtMapKey(k), "Missing instance URL",
				fmt.Sprintf("instance_urls[%q] has no value.", k))
			continue
		}
		urls[k] = s.ValueString()
	}
	return urls
}

// fromConfigOrEnv returns the configured value, else the first non-empty environment variable of names, with a
// description of where it came from for messages.
func fromConfigOrEnv(v types.String, names []string, getenv func(string) string) (value, source string) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString(), "the provider block"
	}
	for _, n := range names {
		if s := getenv(n); s != "" {
			return s, "the environment variable " + n
		}
	}
	return "", ""
}

// parseDurationAttr parses an optional duration attribute; ok is false when it is null or invalid.
func parseDurationAttr(v types.String, name string, diags *diag.Diagnostics) (time.Duration, bool) {
	if v.IsNull() || v.IsUnknown() {
		return 0, false
	}
	d, err := validators.ParseDuration(v.ValueString(), 0)
	if err != nil {
		diags.AddAttributeError(path.Root(name), "Invalid duration", err.Error()+".")
		return 0, false
	}
	return d, true
}

// durationString prints 2m0s as 2m and 1h0m0s as 1h, the way people write durations.
func durationString(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Resources lists the resource types (see resources.go).
func (p *supvisorsProvider) Resources(context.Context) []func() resource.Resource {
	return resourceConstructors()
}

// DataSources lists the data source types (see data_sources.go).
func (p *supvisorsProvider) DataSources(context.Context) []func() datasource.DataSource {
	return dataSourceConstructors()
}
