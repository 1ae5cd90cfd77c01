package provider

// The provider's list resources and actions, for Terraform 1.14 and later. Older Terraform CLIs and OpenTofu do
// not ask for them; everything else works there as before.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
)

var (
	_ provider.ProviderWithListResources = (*supvisorsProvider)(nil)
	_ provider.ProviderWithActions       = (*supvisorsProvider)(nil)
)

// ListResources lists the list resource types (terraform query).
func (p *supvisorsProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewApplicationListResource,
		NewProcessGroupListResource,
	}
}

// Actions lists the action types.
func (p *supvisorsProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		NewRestartApplicationAction,
		NewRestartProcessAction,
		NewConciliateAction,
	}
}
