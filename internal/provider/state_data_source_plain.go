package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// readPlain is the Read of supvisors_state on a plain supervisord: what Supervisor knows (version,
// identification, daemon state, in one multicall), identifier = host:port of the URL, every Supvisors
// attribute null.
func (d *stateDataSource) readPlain(ctx context.Context, c *supvisors.Client, resp *datasource.ReadResponse) {
	results, err := c.System().Multicall(ctx, []supvisors.MulticallCall{
		{Method: "supervisor.getSupervisorVersion"},
		{Method: "supervisor.getIdentification"},
		{Method: "supervisor.getState"},
	})
	if err == nil {
		for _, r := range results {
			if r.Err != nil {
				err = r.Err
				break
			}
		}
	}
	if err != nil {
		dsReadError(&resp.Diagnostics, "the Supervisor state", err)
		return
	}
	str := func(v any) types.String { s, _ := v.(string); return types.StringValue(s) }
	st, _ := results[2].Value.(map[string]any)
	code, _ := st["statecode"].(int64)
	m := stateDataSourceModel{
		Identifier:               types.StringValue(c.PlainHost()),
		NickIdentifier:           types.StringNull(),
		FSMStatecode:             types.Int64Null(),
		FSMStatename:             types.StringNull(),
		DegradedMode:             types.BoolNull(),
		DiscoveryMode:            types.BoolNull(),
		MasterIdentifier:         types.StringNull(),
		MasterNickIdentifier:     types.StringNull(),
		APIVersion:               types.StringNull(),
		SupervisorVersion:        str(results[0].Value),
		SupervisorIdentification: str(results[1].Value),
		SupervisorStatecode:      types.Int64Value(code),
		SupervisorStatename:      str(st["statename"]),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
