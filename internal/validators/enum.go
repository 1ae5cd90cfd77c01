package validators

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// Enum returns a validator that accepts exactly one of names. kind describes the value in messages
// ("starting strategy"). The comparison is case-sensitive, as it is in Supvisors ('config' is rejected by the
// server), but a value that matches a name in another case gets a hint naming the right spelling.
func Enum(kind string, names ...string) validator.String {
	return StringCheck(fmt.Sprintf("must be one of %s", quoteList(names, "`")), func(value string) (string, string) {
		if msg := checkEnum(kind, names, value); msg != "" {
			return "Invalid " + kind, msg
		}
		return "", ""
	})
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

// checkEnum returns "" when value is one of names, else the explanation (kind names the value).
func checkEnum(kind string, names []string, value string) string {
	for _, n := range names {
		if value == n {
			return ""
		}
	}
	msg := fmt.Sprintf("%q is not a valid %s. Valid values: %s.", value, kind, quoteList(names, `"`))
	for _, n := range names {
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
