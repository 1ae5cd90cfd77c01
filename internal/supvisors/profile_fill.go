package supvisors

import (
	"context"
	"maps"
)

// What some releases report in another answer than 0.19 does, gathered with
// one extra multicall: the "managed" flag of 0.10 (from get_application_rules
// only) and the instance states that get_supvisors_state lacks before 0.19
// (from get_all_instances_info).

// completeApplications sets Managed from get_application_rules where the
// release does not report it in the application info (0.10). What the rules
// say is kept (an application does not become managed without a restart of
// Supvisors), so that the answers decoded later (the waits) carry it too.
func (c *Client) completeApplications(ctx context.Context, apps []ApplicationInfo) error {
	api := c.cachedAPI()
	if api == nil || api.Era.ReportsManaged() || len(apps) == 0 {
		return nil
	}
	var calls []MulticallCall
	var idx []int
	for i, a := range apps {
		if managed, ok := c.sh.managed.Load(a.ApplicationName); ok {
			apps[i].Managed = managed.(bool)
			continue
		}
		calls = append(calls, MulticallCall{Method: supvisorsGetApplicationRules, Params: []any{a.ApplicationName}})
		idx = append(idx, i)
	}
	if len(calls) == 0 {
		return nil
	}
	results, err := c.multicall(ctx, calls, true)
	if err != nil {
		return err
	}
	for k, r := range results {
		if r.Err != nil {
			continue // vanished meanwhile: it stays unmanaged
		}
		if rules, err := decodeOne(r.Value, supvisorsGetApplicationRules, applicationRulesFrom); err == nil {
			apps[idx[k]].Managed = rules.Managed
			c.sh.managed.Store(apps[idx[k]].ApplicationName, rules.Managed)
		}
	}
	return nil
}

// completeState fills InstanceStates (and the master) from
// get_all_instances_info / get_master_identifier when the release's
// get_supvisors_state does not report them. The instance states are kept for
// the states decoded later without this lookup (the waits, whose failure
// reports ask the running instances for spawn errors).
func (c *Client) completeState(ctx context.Context, st *SupvisorsState) error {
	api := c.cachedAPI()
	// No release before 0.19 reports instance_states (0.18.7 seen): always
	// ask, the states decoded meanwhile only carry the last ones asked.
	if api == nil || api.Era >= EraCurrent || st.reported == nil {
		return nil
	}
	results, err := c.multicall(ctx, []MulticallCall{{Method: supvisorsGetAllInstancesInfo}, {Method: supvisorsGetMasterIdentifier}}, true)
	if err != nil {
		return err
	}
	if results[0].Err == nil {
		if infos, err := decodeList(results[0].Value, supvisorsGetAllInstancesInfo, instanceInfoFrom); err == nil {
			st.InstanceStates = make(map[string]string, len(infos))
			st.reported["instance_states"] = true
			for _, in := range infos {
				st.InstanceStates[in.Identifier] = string(in.Statename)
			}
			last := maps.Clone(st.InstanceStates)
			c.sh.instances.Store(&last)
		}
	}
	if results[1].Err == nil && st.MasterIdentifier == "" {
		if m, err := decodeMasterIdentifier(results[1].Value); err == nil {
			st.MasterIdentifier = m.Identifier
			st.reported["master_identifier"] = true
		}
	}
	return nil
}
