package provider

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// dataSourceConstructors lists every data source type of the provider. Each embeds dataSourceBase, which gives
// it Metadata and Configure.
func dataSourceConstructors() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewStateDataSource,
		NewStrategiesDataSource,
		NewInstancesDataSource,
		NewInstanceDataSource,
		NewApplicationsDataSource,
		NewApplicationDataSource,
		NewApplicationRulesDataSource,
		NewProcessRulesDataSource,
		NewProcessesDataSource,
		NewConflictsDataSource,
		NewRPCDataSource,
	}
}
