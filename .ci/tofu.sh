#!/usr/bin/env bash
# Runs the provider's acceptance tests with OpenTofu instead of Terraform (`make test-tofu`).
#
# OpenTofu is built from its Go module (the Go module proxy is the only place this project fetches it from) at the
# pinned version, once, into the cache folder the test lab uses (~/.cache/terraform-provider-supvisors, or
# $SUPVISORS_LAB_CACHE). Set TOFU=/path/to/tofu to use another binary. Takes ~5 minutes to build the first time
# on 2 cores, then ~3 minutes for the tests (a real 3-instance Supvisors cluster, as with `make test`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
say() { printf 'tofu: %s\n' "$*"; }
. .ci/lib.sh

version=${TOFU_VERSION:-1.12.6}
tofu=${TOFU:-$cache/opentofu-$version/tofu}

if [[ ! -x "$tofu" ]]; then
	say "building OpenTofu $version from the Go module proxy into $tofu (one time)"
	download_module github.com/opentofu/opentofu "$version"
	mkdir -p "$(dirname "$tofu")"
	(cd "$module_dir" && go build -buildvcs=false -o "$tofu.tmp" ./cmd/tofu)
	mv "$tofu.tmp" "$tofu"
fi

# An empty CLI configuration: OpenTofu prints a missing-file warning on stdout, which the test framework would read
# as its version. The in-process provider is registered under the address an unqualified `supvisors` provider
# resolves to in OpenTofu.
cfg=$(mktemp)
trap 'rm -f "$cfg"' EXIT
say "$(TF_CLI_CONFIG_FILE=$cfg "$tofu" version | sed -n 1p)"
TF_CLI_CONFIG_FILE=$cfg TF_ACC=1 TF_ACC_TERRAFORM_PATH="$tofu" \
	TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=hashicorp \
	go test ./internal/provider -count=1 -timeout 30m
