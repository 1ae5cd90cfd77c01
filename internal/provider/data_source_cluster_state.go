package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

// clusterStateAttribute is the cluster_state attribute of the data sources that read applications and
// processes. Unlike the resources, which wait for a state whose answer is final before they refresh, data
// sources read at once from DISTRIBUTION on, and say in which state they read.
func clusterStateAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "The Supvisors state (`fsm_statename`) the cluster was in when the data was read. " +
			"Data sources read at once, so during `DISTRIBUTION` or `RESTARTING` the states read may be about to " +
			"change (Supvisors is starting its applications); `OPERATION` and `CONCILIATION` answers are final. " +
			"Check it (e.g. in a `precondition`) before acting on what was read. The resources wait for a final " +
			"state themselves, within `ready_timeout`. Null on a plain supervisord, which has no Supvisors state.",
	}
}
