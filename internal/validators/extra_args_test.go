package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestExtraArgs(t *testing.T) {
	for _, ok := range []string{"", "-x 2", `--name "a b"`, `'it''s'`, `a\ b`, `"say \"hi\""`, "a\tb", `"C:\\dir"`, "é"} {
		if err := CheckExtraArgs(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"'open":        "single quote",
		`"open`:        "double quote",
		`"a \"`:        "double quote",
		`end\`:         "backslash",
		"two\nlines":   "control character",
		"nul\x00":      "control character",
		"carriage\rno": "control character",
	} {
		err := CheckExtraArgs(bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error about %s", bad, err, want)
		}
	}
	// the validator skips null and unknown values and reports at the attribute
	v := ExtraArgs()
	for _, val := range []types.String{types.StringNull(), types.StringUnknown(), types.StringValue("ok")} {
		resp := &validator.StringResponse{}
		v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("extra_args"), ConfigValue: val}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v: %v", val, resp.Diagnostics)
		}
	}
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("extra_args"), ConfigValue: types.StringValue("'x")}, resp)
	if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "'x") {
		t.Errorf("bad value: %v", resp.Diagnostics)
	}
}
