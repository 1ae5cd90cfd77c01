package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
	"github.com/supvisors/terraform-provider-supvisors/internal/validators"
)

// strategyAttribute is the `strategy` attribute of both resources; what completes "when the provider starts ...".
// The list of strategies in its description comes from the client's enum, so it cannot drift. It has no
// default: unset means the application's own rules (resolved at apply time by supvisors.Client.ResolveStrategy).
func strategyAttribute(what string) schema.StringAttribute {
	strategies := make([]string, 0, len(supvisors.StartingStrategies()))
	for _, s := range supvisors.StartingStrategies() {
		strategies = append(strategies, "`"+string(s)+"`")
	}
	return schema.StringAttribute{
		MarkdownDescription: "Starting strategy used when the provider starts " + what + ": " + joinWords(strategies) +
			". Unset (the default): the `starting_strategy` of the application's own Supvisors rules " +
			"(`get_application_rules`), which Supvisors' start sequence, its Web UI and its automatic restarts " +
			"use too; `CONFIG` for a group that no rules declare (unmanaged). Set it only to override the rules. " +
			"A change alone does nothing on the cluster; it applies to the next start. Import leaves it unset. " +
			"A strategy that the Supvisors release reached does not accept (`LESS_LOADED_NODE` and " +
			"`MOST_LOADED_NODE` are from Supvisors 0.12) is refused at plan time, naming the release and the " +
			"strategies it accepts. " +
			"States written before schema version 1, when the default was `CONFIG`, are upgraded with " +
			"`strategy = \"CONFIG\"` removed, so they show no diff and follow the rules from then on; a " +
			"configuration that sets `CONFIG` explicitly sees one in-place update that changes nothing on the cluster.",
		Optional:   true,
		Validators: []validator.String{validators.StartingStrategy()},
	}
}

// The attributes and blocks below are shared by supvisors_application and supvisors_process_group, each with
// its own description.

// applicationNameAttribute is a required application name (validated as a Supervisor name); changing it
// replaces the resource.
func applicationNameAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Required:            true,
		Validators:          []validator.String{validators.Name("application name")},
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
}

// restartTriggersAttribute is `restart_triggers`: an optional map of strings (see triggersRestart).
func restartTriggersAttribute(description string) schema.MapAttribute {
	return schema.MapAttribute{MarkdownDescription: description, Optional: true, ElementType: types.StringType}
}

// stopOnDestroyAttribute is `stop_on_destroy`, true by default.
func stopOnDestroyAttribute(description string) schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: description,
		Optional:            true,
		Computed:            true,
		Default:             booldefault.StaticBool(true),
	}
}

// actingTimeoutsBlocks are the blocks of a resource whose create, update and delete act on the cluster: the
// timeouts block with the three limits.
func actingTimeoutsBlocks(ctx context.Context) map[string]schema.Block {
	return map[string]schema.Block{
		"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
	}
}
