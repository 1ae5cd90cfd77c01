package provider

import "github.com/hashicorp/terraform-plugin-framework/types"

// The restart_triggers rule shared by supvisors_application and supvisors_process_group.

// sameTriggers compares two restart_triggers maps; null and empty are the same (no trigger).
func sameTriggers(a, b types.Map) bool {
	if len(a.Elements()) == 0 && len(b.Elements()) == 0 {
		return true
	}
	return a.Equal(b)
}

// triggersRestart decides whether going from the prior restart_triggers to the planned ones restarts the
// running processes. Null and empty are the same (no trigger). The first value set, when the prior map is null or
// empty (create, import, triggers added later), is only recorded; a change between two non-empty maps restarts;
// removing the triggers (non-empty to null or empty) restarts nothing.
func triggersRestart(prior, plan types.Map) bool {
	if len(prior.Elements()) == 0 || len(plan.Elements()) == 0 {
		return false
	}
	return !sameTriggers(prior, plan)
}
