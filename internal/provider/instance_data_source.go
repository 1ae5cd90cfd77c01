package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// NewInstanceDataSource returns the supvisors_instance data source: one instance, by host:port or nickname,
// with its state, its view of the cluster and its network.
func NewInstanceDataSource() datasource.DataSource {
	return &instanceDataSource{dataSourceBase{typeName: "instance"}}
}

type instanceDataSource struct{ dataSourceBase }

type instanceDataSourceModel struct {
	Identifier types.String      `tfsdk:"identifier"`
	Instance   *instanceModel    `tfsdk:"instance"`
	Network    *networkInfoModel `tfsdk:"network"`
}

// networkInfoModel is get_network_info, with the inner "network" structure flattened into it.
type networkInfoModel struct {
	HostID      string                     `tfsdk:"host_id"`
	HTTPPort    int64                      `tfsdk:"http_port"`
	Stereotypes []string                   `tfsdk:"stereotypes"`
	MachineID   string                     `tfsdk:"machine_id"`
	FQDN        string                     `tfsdk:"fqdn"`
	Addresses   map[string]nicAddressModel `tfsdk:"addresses"`
}

type nicAddressModel struct {
	HostName      string        `tfsdk:"host_name"`
	Aliases       []string      `tfsdk:"aliases"`
	IPv4Addresses []string      `tfsdk:"ipv4_addresses"`
	NICInfo       *nicInfoModel `tfsdk:"nic_info"`
}

type nicInfoModel struct {
	NICName     string `tfsdk:"nic_name"`
	IPv4Address string `tfsdk:"ipv4_address"`
	Netmask     string `tfsdk:"netmask"`
}

func (d *instanceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	instance := instanceAttributes()
	resp.Schema = schema.Schema{
		MarkdownDescription: "One Supvisors instance, named by `host:port` or by nickname: its information " +
			"(`supvisors.get_instance_info`), its own view of the cluster (`supvisors.get_instance_state_modes`) and " +
			"its network (`supvisors.get_network_info`). Reads in every cluster state.\n\n" +
			"`instance` has the same attributes as an element of `supvisors_instances.instances`.",
		Attributes: map[string]schema.Attribute{
			"identifier": dsNameAttribute("The instance to read: its identifier `host:port` (e.g. `10.0.0.5:9001`) or its " +
				"nickname (e.g. `node2`). `instance.identifier` is always the `host:port` form."),
			"instance": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The instance information, merged with its state and modes (`state_modes`).",
				Attributes:          instance,
			},
			"network": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Network information of the instance (`get_network_info`; its inner `network` structure is flattened here). Reported from Supvisors 0.19; null before.",
				Attributes: map[string]schema.Attribute{
					"host_id": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Host part of the instance's entry in `supvisors_list`.",
					},
					"http_port": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "HTTP port of the instance's Supervisor XML-RPC server.",
					},
					"stereotypes": schema.ListAttribute{
						Computed:            true,
						ElementType:         types.StringType,
						MarkdownDescription: "Stereotypes (tags usable in rules) of the instance.",
					},
					"machine_id": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Machine identifier of the node (a MAC address).",
					},
					"fqdn": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Fully qualified domain name of the node.",
					},
					"addresses": schema.MapNestedAttribute{
						Computed:            true,
						MarkdownDescription: "Addresses of the node's network interfaces, by interface name (e.g. `eth0`).",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"host_name": schema.StringAttribute{
								Computed:            true,
								MarkdownDescription: "Host name the interface's address resolves to.",
							},
							"aliases": schema.ListAttribute{
								Computed:            true,
								ElementType:         types.StringType,
								MarkdownDescription: "Aliases of that host name.",
							},
							"ipv4_addresses": schema.ListAttribute{
								Computed:            true,
								ElementType:         types.StringType,
								MarkdownDescription: "IPv4 addresses of that host name.",
							},
							"nic_info": schema.SingleNestedAttribute{
								Computed:            true,
								MarkdownDescription: "The interface itself.",
								Attributes: map[string]schema.Attribute{
									"nic_name": schema.StringAttribute{
										Computed:            true,
										MarkdownDescription: "Interface name.",
									},
									"ipv4_address": schema.StringAttribute{
										Computed:            true,
										MarkdownDescription: "IPv4 address of the interface.",
									},
									"netmask": schema.StringAttribute{
										Computed:            true,
										MarkdownDescription: "Netmask of the interface.",
									},
								},
							},
						}},
					},
				},
			},
		},
	}
}

func (d *instanceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, c, id := d.beginWith(ctx, req.Config, "identifier", &resp.Diagnostics)
	if c == nil {
		return
	}
	info, ok := readOneInstance(ctx, c, id, &resp.Diagnostics)
	if !ok {
		return
	}
	what := fmt.Sprintf("Supvisors instance %q", id)
	// get_instance_state_modes accepts the nickname; get_network_info does not (Supvisors 0.19 answers a
	// nickname with an HTTP 500): both get the host:port form resolved by get_instance_info.
	// Both are reported from Supvisors 0.19: null before (ErrUnsupported, nothing sent).
	modes, err := c.GetInstanceStateModes(ctx, info.Identifier)
	if err != nil && !errors.Is(err, supvisors.ErrUnsupported) {
		dsReadError(&resp.Diagnostics, "the state and modes of "+what, err)
		return
	}
	network, err := c.GetNetworkInfo(ctx, info.Identifier)
	if err != nil && !errors.Is(err, supvisors.ErrUnsupported) {
		dsReadError(&resp.Diagnostics, "the network information of "+what, err)
		return
	}
	im := newInstanceModel(info)
	for _, sm := range modes {
		if sm.Identifier == info.Identifier {
			im.StateModes = newInstanceStateModesModel(sm)
		}
	}
	m := instanceDataSourceModel{Identifier: types.StringValue(id), Instance: &im}
	if err == nil {
		m.Network = newNetworkInfoModel(network)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// readOneInstance returns the information of the one instance that id (host:port or nickname) names. A name
// the cluster does not know, or one that names several instances (a stereotype), is an error on identifier.
func readOneInstance(ctx context.Context, c *supvisors.Client, id string, diags *diag.Diagnostics) (supvisors.InstanceInfo, bool) {
	infos, err := c.GetInstanceInfo(ctx, id)
	if err != nil {
		dsInstanceName.readError(ctx, c, diags, id, fmt.Sprintf("Supvisors instance %q", id), err)
		return supvisors.InstanceInfo{}, false
	}
	if len(infos) != 1 {
		names := make([]string, 0, len(infos))
		for _, info := range infos {
			names = append(names, info.Identifier)
		}
		sort.Strings(names)
		diags.AddAttributeError(path.Root("identifier"), "Identifier matches several instances",
			fmt.Sprintf("%q names %d instances (%v); it is probably a stereotype. Use one host:port or nickname, or "+
				"the supvisors_instances data source.", id, len(infos), names))
		return supvisors.InstanceInfo{}, false
	}
	return infos[0], true
}

func newNetworkInfoModel(n supvisors.NetworkInfo) *networkInfoModel {
	m := &networkInfoModel{
		HostID:      n.HostID,
		HTTPPort:    int64(n.HTTPPort),
		Stereotypes: stringsOrEmpty(n.Stereotypes),
		MachineID:   n.Network.MachineID,
		FQDN:        n.Network.FQDN,
		Addresses:   map[string]nicAddressModel{},
	}
	for nic, addr := range n.Network.Addresses {
		m.Addresses[nic] = nicAddressModel{
			HostName:      addr.HostName,
			Aliases:       stringsOrEmpty(addr.Aliases),
			IPv4Addresses: stringsOrEmpty(addr.IPv4Addresses),
			NICInfo: &nicInfoModel{
				NICName:     addr.NICInfo.NICName,
				IPv4Address: addr.NICInfo.IPv4Address,
				Netmask:     addr.NICInfo.Netmask,
			},
		}
	}
	return m
}
