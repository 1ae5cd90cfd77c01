#!/usr/bin/env bash
# Checks that the documentation and the examples match the code:
#   1. docs/ is what `go generate ./...` (tfplugindocs) makes from the schemas, templates/ and examples/, and
#      passes `tfplugindocs validate`;
#   2. every example is formatted (`terraform fmt -check -recursive examples`);
#   3. every example directory passes `terraform validate` against the provider built from this tree
#      (dev_overrides, so no registry and no `terraform init` is involved).
# The import guide's flows (templates/guides/adopting-an-existing-cluster.md.tmpl) need a running cluster: they are
# checked by TestImportGuideFlow (make test) and TestQueryGuideFlow (make test-terraform) in internal/demo.
#
# Usage: .ci/docs-check.sh            (from anywhere inside the repository)
# Needs: go. Everything runs with a Terraform >= 1.14 (the pages of the list resources and actions, action blocks
# and .tfquery.hcl examples need it): the one .ci/terraform.sh builds once into the lab cache, or $TERRAFORM_NEW.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

fail=0
say() { printf '%s\n' "docs-check: $*"; }

if ! tf=$(.ci/terraform.sh path); then
	say "FAIL: no Terraform >= 1.14 (.ci/terraform.sh could not build it)"
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# No update checks, no prompts; a CLI configuration of the user must not change what is checked.
export CHECKPOINT_DISABLE=1 TF_INPUT=0
empty_rc="$work/empty.tfrc"
: >"$empty_rc"

# --- 1. docs/ is up to date -------------------------------------------------------------------------------------
say "go generate ./... (tfplugindocs)"
if ! PATH="$(dirname "$tf"):$PATH" TF_CLI_CONFIG_FILE="$empty_rc" go generate ./... >"$work/generate.log" 2>&1; then
	cat "$work/generate.log"
	say "FAIL: go generate ./... failed (see above)"
	exit 1
fi
if [[ -n "$(git status --porcelain -- docs)" ]]; then
	git status --porcelain -- docs
	git --no-pager diff --stat -- docs || true
	say "FAIL: docs/ is not what 'go generate ./...' produces from the schemas, templates/ and examples/."
	say "      Run 'go generate ./...' and commit docs/ (the files above differ or are new)."
	fail=1
else
	say "ok: docs/ is up to date"
fi
say "tfplugindocs validate (registry layout, frontmatter, one page per resource and data source)"
if ! go tool tfplugindocs validate --provider-name supvisors >"$work/validate.log" 2>&1; then
	grep -v '\[DEBUG\]' "$work/validate.log" || true
	say "FAIL: tfplugindocs validate found problems in docs/ (see above)"
	fail=1
else
	say "ok: tfplugindocs validate"
fi

# --- 2. terraform fmt ---------------------------------------------------------------------------------------------
say "$(basename "$tf") fmt -check -recursive examples"
if ! TF_CLI_CONFIG_FILE="$empty_rc" "$tf" fmt -check -recursive -diff examples; then
	say "FAIL: examples are not formatted: run '$(basename "$tf") fmt -recursive examples'"
	fail=1
else
	say "ok: examples are formatted"
fi

# --- 3. terraform validate of every example directory, with the provider built from this tree -------------------
bindir="$work/bin"
mkdir -p "$bindir"
say "go build the provider for dev_overrides"
go build -o "$bindir/terraform-provider-supvisors" .
rc="$work/dev.tfrc"
cat >"$rc" <<EOF
provider_installation {
  dev_overrides {
    "supvisors/supvisors" = "$bindir"
  }
  direct {}
}
EOF

# Each directory holding *.tf is one configuration. It is copied to a scratch directory so that nothing
# (.terraform, lock files) is written into the work tree. Resource and data-source examples usually omit the
# terraform block; without required_providers Terraform would look for hashicorp/supvisors, so the check adds
# one when the example has none.
# A directory of .tfquery.hcl files (list resource examples) is validated with -query.
mapfile -t dirs < <(find examples \( -name '*.tf' -o -name '*.tfquery.hcl' \) -not -path '*/.terraform/*' -printf '%h\n' | sort -u)
for d in "${dirs[@]}"; do
	scratch="$work/validate/$d"
	mkdir -p "$scratch"
	cp "$d"/*.tf "$d"/*.tfquery.hcl "$scratch"/ 2>/dev/null || true
	query=()
	compgen -G "$d/*.tfquery.hcl" >/dev/null && query=(-query)
	if ! grep -qs 'required_providers' "$d"/*.tf; then
		cat >"$scratch/zz_docs_check_providers.tf" <<'EOF'
terraform {
  required_providers {
    supvisors = {
      source = "supvisors/supvisors"
    }
  }
}
EOF
	fi
	# validate with dev_overrides needs no init when every provider is overridden. An example that uses another
	# provider would need `init` (and a registry): report it instead of hiding it.
	if out=$(TF_CLI_CONFIG_FILE="$rc" "$tf" -chdir="$scratch" validate -no-color "${query[@]}" 2>&1); then
		say "ok: validate $d"
	else
		printf '%s\n' "$out" | grep -v '^[│╷╵ ]*$' | sed 's/^/    /'
		say "FAIL: $(basename "$tf") validate $d"
		fail=1
	fi
done

if [[ $fail -ne 0 ]]; then
	say "FAILED"
	exit 1
fi
say "all checks passed"
