package validators

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// enumValidator accepts exactly one of a list of names (case-sensitive, as Supvisors is).
type enumValidator struct {
	kind  string
	names []string
}

var _ validator.String = enumValidator{}

// Enum returns a validator that accepts exactly one of names. kind describes the value in messages
// ("starting strategy"). The comparison is case-sensitive, as it is in Supvisors ('config' is rejected by the
// server), but a value that matches a name in another case gets a hint naming the right spelling.
func Enum(kind string, names ...string) validator.String {
	return enumValidator{kind: kind, names: names}
}

// StartingStrategy returns a validator for a Supvisors starting strategy name: CONFIG, LESS_LOADED, MOST_LOADED,
// LOCAL, LESS_LOADED_NODE or MOST_LOADED_NODE (the list comes from the client package).
func StartingStrategy() validator.String {
	strategies := supvisors.StartingStrategies()
	names := make([]string, len(strategies))
	for i, s := range strategies {
		names[i] = string(s)
	}
	return Enum("starting strategy", names...)
}

func (v enumValidator) Description(ctx context.Context) string {
	return v.MarkdownDescription(ctx)
}

func (v enumValidator) MarkdownDescription(context.Context) string {
	return fmt.Sprintf("must be one of %s", quoteList(v.names, "`"))
}

func (v enumValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := v.check(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.kind, msg)
	}
}

// check returns "" when value is valid, else the explanation.
func (v enumValidator) check(value string) string {
	for _, n := range v.names {
		if value == n {
			return ""
		}
	}
	msg := fmt.Sprintf("%q is not a valid %s. Valid values: %s.", value, v.kind, quoteList(v.names, `"`))
	for _, n := range v.names {
		if strings.EqualFold(value, n) {
			msg += fmt.Sprintf(" Names are case-sensitive: did you mean %q?", n)
			break
		}
	}
	return msg
}

// quoteList renders names as `a`, `b` or "a", "b".
func quoteList(names []string, quote string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = quote + n + quote
	}
	return strings.Join(parts, ", ")
}

// errorAt is a small helper for validators that produce one error at the attribute.
func errorAt(resp *validator.StringResponse, p path.Path, summary, detail string) {
	resp.Diagnostics.AddAttributeError(p, summary, detail)
}
