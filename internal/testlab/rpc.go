package testlab

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/kolo/xmlrpc"
)

// A minimal private XML-RPC caller: testlab must not depend on the state of internal/supvisors to bring a
// cluster up, and it only needs a handful of calls (state polling, status).

var rpcHTTP = &http.Client{Timeout: 10 * time.Second}

// rpcCall calls method on url (http://host:port, /RPC2 appended) with basic auth and decodes the result into out.
func rpcCall(ctx context.Context, url, user, pass, method string, out any, args ...any) error {
	return rpcCallWith(ctx, rpcHTTP, url, user, pass, method, out, args...)
}

func rpcCallWith(ctx context.Context, hc *http.Client, url, user, pass, method string, out any, args ...any) error {
	body, err := xmlrpc.EncodeMethodCall(method, args...)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(url, "/")+"/RPC2", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/xml")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %s", method, resp.Status)
	}
	r := xmlrpc.Response(data)
	if err := r.Err(); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if out == nil {
		return nil
	}
	return r.Unmarshal(out)
}

// supvisorsState is the part of supvisors.get_supvisors_state the lab needs.
type supvisorsState struct {
	Identifier     string            `xmlrpc:"identifier"`
	Nick           string            `xmlrpc:"nick_identifier"`
	FSMStatename   string            `xmlrpc:"fsm_statename"`
	Statename      string            `xmlrpc:"statename"` // up to 0.12
	Degraded       bool              `xmlrpc:"degraded_mode"`
	Master         string            `xmlrpc:"master_identifier"`
	StartingJobs   []string          `xmlrpc:"starting_jobs"`
	StoppingJobs   []string          `xmlrpc:"stopping_jobs"`
	InstanceStates map[string]string `xmlrpc:"instance_states"`
}

func (s supvisorsState) String() string {
	return fmt.Sprintf("%s: fsm_statename=%s master=%q degraded=%v instance_states=%v",
		s.Identifier, s.FSMStatename, s.Master, s.Degraded, s.InstanceStates)
}

// processInfo is the part of supvisors.get_all_process_info the status command prints.
type processInfo struct {
	Application string   `xmlrpc:"application_name"`
	Process     string   `xmlrpc:"process_name"`
	Statename   string   `xmlrpc:"statename"`
	Identifiers []string `xmlrpc:"identifiers"`
	ExtraArgs   string   `xmlrpc:"extra_args"`
}

// applicationInfo is the part of supvisors.get_all_applications_info the status command prints.
type applicationInfo struct {
	Name      string `xmlrpc:"application_name"`
	Managed   bool   `xmlrpc:"managed"`
	Statename string `xmlrpc:"statename"`
	Major     bool   `xmlrpc:"major_failure"`
	Minor     bool   `xmlrpc:"minor_failure"`
}

// rpcCallUnix is rpcCall over the unix socket of an instance.
func rpcCallUnix(ctx context.Context, socket, user, pass, method string, out any, args ...any) error {
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}}
	defer hc.CloseIdleConnections()
	return rpcCallWith(ctx, hc, "http://localhost", user, pass, method, out, args...)
}

// instanceState is the part of supvisors.get_all_instances_info (get_all_addresses_info on 0.10) the lab needs.
type instanceState struct {
	Identifier string `xmlrpc:"identifier"`
	Address    string `xmlrpc:"address_name"`
	Statename  string `xmlrpc:"statename"`
}

// readState reads the cluster state as instance in sees it, in the 0.19 terms the lab checks: the state name
// (statename up to 0.12) and the instance states (from get_all_instances_info where get_supvisors_state does not
// report them).
func (c *Cluster) readState(ctx context.Context, in *instance) (supvisorsState, error) {
	var st supvisorsState
	if err := rpcCall(ctx, in.url(), c.opts.Username, c.opts.Password, "supvisors.get_supvisors_state", &st); err != nil {
		return st, err
	}
	if st.FSMStatename == "" {
		st.FSMStatename = st.Statename
	}
	if st.Identifier == "" {
		st.Identifier = in.Identifier
	}
	if len(st.InstanceStates) == 0 {
		method := "supvisors.get_all_instances_info"
		if c.rel.Era == EraAddress {
			method = "supvisors.get_all_addresses_info"
		}
		var infos []instanceState
		if err := rpcCall(ctx, in.url(), c.opts.Username, c.opts.Password, method, &infos); err != nil {
			return st, err
		}
		st.InstanceStates = map[string]string{}
		for _, i := range infos {
			id := i.Identifier
			if id == "" {
				id = i.Address
			}
			st.InstanceStates[id] = i.Statename
		}
	}
	return st, nil
}
