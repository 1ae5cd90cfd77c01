// Package reconcile decides what must change on a Supvisors cluster for a
// desired state to hold, in which order, and when it has settled, and carries
// it out through the client (internal/supvisors) with waits bounded by the
// context and typed errors. It has no Terraform types: the provider's
// handlers read their configuration, plan and state, call reconcile, and map
// the result and the errors to state and diagnostics (the provider's
// diagnostics.go turns the errors into cause-plus-remedy messages).
//
// Its unit tests run on the scripted cluster of
// internal/supvisors/supvisorstest; the provider's acceptance tests are the
// proof against a real cluster.
package reconcile

import "context"

// Logf receives the debug records of a reconciliation (the provider passes
// tflog.Debug). A nil Logf drops them.
type Logf func(ctx context.Context, msg string, fields map[string]any)

func (l Logf) debug(ctx context.Context, msg string, fields map[string]any) {
	if l != nil {
		l(ctx, msg, fields)
	}
}
