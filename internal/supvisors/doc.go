// Package supvisors is an XML-RPC client for Supvisors, the cluster layer on top
// of Supervisor (supervisord), written for a Terraform provider but free of any
// Terraform import.
//
// A [Client] talks to one Supvisors instance over http://, https:// or
// unix:///path/to.sock (HTTP over the socket). It wraps every method that
// system.listMethods returns on Supvisors 0.19 with a typed Go method:
//
//   - the supvisors.* namespace directly on *Client (GetSupvisorsState,
//     StartApplication, UpdateNumprocs, ...),
//   - the supervisor.* namespace on [Client.Supervisor],
//   - the system.* namespace on [Client.System], including system.multicall
//     with one result or *[Fault] per call.
//
// [Client.Call] is a generic passthrough for anything else.
//
// Every call takes a context.Context whose deadline and cancellation reach the
// socket. Errors are typed and tested with errors.Is / errors.As: [*Fault]
// (an XML-RPC fault with its numeric [FaultCode]), [*HTTPError]
// ([ErrUnauthorized], [ErrNoEndpoint], [ErrServerFault]), [*TransportError],
// [*NotReadyError] (the cluster is not in a state that accepts the call) and
// [ErrNotSupvisors] (a plain supervisord without the Supvisors plugin). The
// configured password never appears in an error or a log field.
//
// Read calls are retried on transport failures and BAD_SUPVISORS_STATE with a
// capped exponential backoff; mutating calls are retried only on
// BAD_SUPVISORS_STATE, which means that the server refused the call and
// nothing happened. See [Config.ReadyTimeout].
//
// [Client.Snapshot] gives many concurrent readers one shared view of the
// cluster (state, applications and processes) fetched with a single
// system.multicall; any mutating call made through the client drops it.
// [Client.WaitApplication], [Client.WaitProcesses] and [Client.WaitReady] poll
// until the cluster settles; concurrent waits of a client share one poll (one
// system.multicall per tick for all of them), and the starts, stops and
// restarts sent with wait=false travel in the same requests (poll.go). [Client.Instance] reaches one given instance, for
// the local-only methods (update_numprocs, enable, disable, start_args).
//
// A plain supervisord (no Supvisors plugin) is recognised by [Client.Detect]
// (APIInfo.Plain): its supvisors.* calls fail with [ErrNotSupvisors], while
// [Client.PlainSnapshot], [Client.PlainStart], [Client.PlainStop] and
// [Client.PlainWait] manage its processes with Supervisor's own calls and
// states. [Rollout] applies configuration changes like `supervisorctl update`
// on one or several supervisords (plain ones, or the instances of a cluster).
//
// Enumerations (states, strategies) are string types holding the NAME sent by
// the server: compare by name, because the integer codes changed between
// Supvisors versions.
package supvisors
