package supvisors

// normalize rewrites the generic answer of an older release to method (by its
// 0.19 name) into the 0.19 shape, so that the decoders of types.go read every
// release alike. Values of an unexpected shape are left as they are: the
// decoders then report them.
func (c *Client) normalize(api *APIInfo, method string, v any) any {
	if api == nil || api.Era >= EraCurrent {
		return v
	}
	switch method {
	case supvisorsGetSupvisorsState:
		return mapStruct(v, c.normalizeState)
	case supvisorsGetAllInstancesInfo:
		return mapList(v, normalizeInstance)
	case supvisorsGetInstanceInfo:
		if _, ok := v.(map[string]any); ok { // a struct up to 0.17, a list of one from 0.18
			v = []any{v}
		}
		return mapList(v, normalizeInstance)
	case supvisorsGetAllApplicationsInfo:
		return mapList(v, c.normalizeApplication)
	case supvisorsGetApplicationInfo:
		return mapStruct(v, c.normalizeApplication)
	case supvisorsGetAllProcessInfo, supvisorsGetProcessInfo, supvisorsGetConflicts:
		return mapList(v, normalizeProcess)
	case supvisorsGetApplicationRules:
		return mapStruct(v, normalizeApplicationRules)
	case supvisorsGetProcessRules:
		return mapList(v, normalizePlacement)
	}
	return v
}

func mapStruct(v any, f func(map[string]any)) any {
	if m, ok := v.(map[string]any); ok && m != nil {
		f(m)
	}
	return v
}

func mapList(v any, f func(map[string]any)) any {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if m, ok := e.(map[string]any); ok && m != nil {
				f(m)
			}
		}
	}
	return v
}

// normalizeState: {statecode, statename} (up to 0.12) become fsm_statecode /
// fsm_statename; old state names get their 0.19 names (the code is kept as
// the release reports it); instance states too.
func (c *Client) normalizeState(m map[string]any) {
	normalizeState(m)
	if _, ok := m["instance_states"]; !ok { // before 0.19: the last ones completed (see completeState)
		if last := c.sh.instances.Load(); last != nil {
			states := make(map[string]any, len(*last))
			for id, s := range *last {
				states[id] = s
			}
			m["instance_states"] = states
		}
	}
}

func normalizeState(m map[string]any) {
	if _, ok := m["fsm_statename"]; !ok {
		if name, ok := m["statename"]; ok {
			m["fsm_statename"] = name
			m["fsm_statecode"] = m["statecode"]
		}
	}
	if name, ok := m["fsm_statename"].(string); ok {
		m["fsm_statename"] = string(StateName(name))
	}
	if states, ok := m["instance_states"].(map[string]any); ok {
		for id, s := range states {
			if name, ok := s.(string); ok {
				states[id] = string(InstanceStateName(name))
			}
		}
	}
}

// normalizeInstance: the address_name of 0.10 is the identifier and node
// name (its host name); no port is reported before 0.12 (on 0.10 every
// instance has the HTTP port of the URL reached: see instanceClient; on 0.11
// the identifier is a nickname and no host is reported either); an identifier without nick_identifier (0.11 .. 0.17) is the
// nickname; old instance state names get their 0.19 names.
func normalizeInstance(m map[string]any) {
	if _, ok := m["identifier"]; !ok {
		if name, ok := m["address_name"]; ok {
			m["identifier"] = name
			if _, ok := m["node_name"]; !ok {
				m["node_name"] = name
			}
		}
	}
	if _, ok := m["nick_identifier"]; !ok {
		m["nick_identifier"] = m["identifier"]
	}
	if _, ok := m["remote_sequence_counter"]; !ok {
		if n, ok := m["sequence_counter"]; ok {
			m["remote_sequence_counter"] = n
		}
	}
	if name, ok := m["statename"].(string); ok {
		m["statename"] = string(InstanceStateName(name))
	}
}

// normalizeApplication: the "managed" flag, which 0.10 reports in the rules
// only, comes from the rules already read (see completeApplications).
func (c *Client) normalizeApplication(m map[string]any) {
	if _, ok := m["managed"]; ok {
		return
	}
	if managed, ok := c.sh.managed.Load(toString(m["application_name"])); ok {
		m["managed"] = managed
	}
}

// normalizePlacement: "addresses" (0.10, and beside "identifiers" in 0.11)
// become "identifiers".
func normalizePlacement(m map[string]any) {
	if _, ok := m["identifiers"]; !ok {
		if a, ok := m["addresses"]; ok {
			m["identifiers"] = a
		}
	}
}

// normalizeProcess: placement as above. The process time key of releases
// before 0.19 (last_event_time, wall-clock seconds) is not the monotonic
// last_event_mtime of 0.19: it is left out, so ProcessInfo.Reports says
// LastEventMtime is not reported.
func normalizeProcess(m map[string]any) {
	normalizePlacement(m)
}

// normalizeApplicationRules: "distributed" (0.10, 0.11) becomes the
// distribution of 0.12 (true: ALL_INSTANCES, false: SINGLE_INSTANCE), with
// the placement as above.
func normalizeApplicationRules(m map[string]any) {
	normalizePlacement(m)
	if _, ok := m["distribution"]; !ok {
		if d, ok := toBool(m["distributed"]); ok {
			if d {
				m["distribution"] = "ALL_INSTANCES"
			} else {
				m["distribution"] = "SINGLE_INSTANCE"
			}
		}
	}
}
