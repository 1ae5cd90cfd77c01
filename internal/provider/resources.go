package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// resourceConstructors lists every resource type of the provider.
func resourceConstructors() []func() resource.Resource {
	return []func() resource.Resource{
		NewApplicationResource,
		NewProcessGroupResource,
		NewConfigUpdateResource,
	}
}
