package provider

// The provider's entry to internal/reconcile: the reconciler the handlers use (the diagnostics of its results are
// in diagnostics.go). The decisions themselves are reconcile's (application.go, processgroup.go, numprocs.go,
// enabled.go, scope.go).

import (
	"context"

	"github.com/supvisors/terraform-provider-supvisors/internal/reconcile"
	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// reconcilerOf returns the reconcile layer over c, logging through tflog.
func reconcilerOf(c *supvisors.Client) reconcile.Reconciler {
	return reconcile.Reconciler{Client: c, Log: tfDebug}
}

// pgFreshMembers reads the processes of the scope from the cluster (reconcile.Reconciler.FreshMembers), or from
// the plain supervisord (one fresh getAllProcessInfo).
func pgFreshMembers(ctx context.Context, c *supvisors.Client, s reconcile.Scope) ([]supvisors.ProcessInfo, error) {
	if pgIsPlain(ctx, c) {
		v, err := c.PlainRead(ctx)
		if err != nil {
			return nil, err
		}
		members, _ := reconcile.Members(v.ProcessesOf(s.App), s)
		return members, nil
	}
	return reconcilerOf(c).FreshMembers(ctx, s)
}
