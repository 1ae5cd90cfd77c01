package provider

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// dataSourceConstructors lists every data source type of the provider.
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
