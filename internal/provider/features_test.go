package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// TestListResourceAndActionSchemas: every list resource names a managed resource that has an identity, and the
// schemas of the list resources and actions are valid, with a MarkdownDescription on them and on each attribute.
func TestListResourceAndActionSchemas(t *testing.T) {
	ctx := context.Background()
	p := &supvisorsProvider{}
	withIdentity := map[string]bool{}
	for _, newResource := range resourceConstructors() {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "supvisors"}, &meta)
		if ri, ok := r.(resource.ResourceWithIdentity); ok {
			var resp resource.IdentitySchemaResponse
			ri.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &resp)
			if diags := resp.IdentitySchema.ValidateImplementation(ctx); diags.HasError() {
				t.Errorf("%s identity: %v", meta.TypeName, diagText(diags))
			}
			withIdentity[meta.TypeName] = true
		}
	}
	for _, newList := range p.ListResources(ctx) {
		l := newList()
		var meta resource.MetadataResponse
		l.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "supvisors"}, &meta)
		if !withIdentity[meta.TypeName] {
			t.Errorf("list resource %s: no managed resource of that name with an identity", meta.TypeName)
		}
		var resp list.ListResourceSchemaResponse
		l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &resp)
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("list resource %s: %v", meta.TypeName, diagText(diags))
		}
		if resp.Schema.MarkdownDescription == "" {
			t.Errorf("list resource %s has no MarkdownDescription", meta.TypeName)
		}
		for name, a := range resp.Schema.Attributes {
			if a.GetMarkdownDescription() == "" {
				t.Errorf("list resource %s: attribute %s has no MarkdownDescription", meta.TypeName, name)
			}
		}
	}
	for _, newAction := range p.Actions(ctx) {
		a := newAction()
		var meta action.MetadataResponse
		a.Metadata(ctx, action.MetadataRequest{ProviderTypeName: "supvisors"}, &meta)
		var resp action.SchemaResponse
		a.Schema(ctx, action.SchemaRequest{}, &resp)
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("action %s: %v", meta.TypeName, diagText(diags))
		}
		if resp.Schema.MarkdownDescription == "" {
			t.Errorf("action %s has no MarkdownDescription", meta.TypeName)
		}
		for name, at := range resp.Schema.Attributes {
			if at.GetMarkdownDescription() == "" {
				t.Errorf("action %s: attribute %s has no MarkdownDescription", meta.TypeName, name)
			}
		}
	}
}
