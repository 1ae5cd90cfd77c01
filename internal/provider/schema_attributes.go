package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// strategyAttribute is the `strategy` attribute of both resources; what completes "when the provider starts ...".
// The list of strategies in its description comes from the client's enum, so it cannot drift.
func strategyAttribute(what string) schema.StringAttribute {
	strategies := make([]string, 0, len(supvisors.StartingStrategies()))
	for _, s := range supvisors.StartingStrategies() {
		strategies = append(strategies, "`"+string(s)+"`")
	}
	return schema.StringAttribute{
		MarkdownDescription: "Starting strategy used when the provider starts " + what + ": " + joinWords(strategies) +
			". Defaults to `CONFIG` (the placement of the rules). A change alone does nothing on the cluster; it " +
			"applies to the next start.",
		Optional:   true,
		Computed:   true,
		Default:    stringdefault.StaticString(string(supvisors.StrategyConfig)),
		Validators: []validator.String{validators.StartingStrategy()},
	}
}
