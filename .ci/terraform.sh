#!/usr/bin/env bash
# A Terraform CLI >= 1.14 for the tests and the docs (list resources, actions, `terraform query`).
#
#   .ci/terraform.sh path   build Terraform once if it is missing, print the binary's path on stdout
#   .ci/terraform.sh test   the provider acceptance tests, the query adoption flow and an -invoke run with it
#                           (`make test-terraform`)
#
# Terraform is built from its Go module (the Go module proxy is the only place this project fetches it from) at the
# pinned version, once, into the cache folder the test lab uses (~/.cache/terraform-provider-supvisors, or
# $SUPVISORS_LAB_CACHE). It is never committed (Terraform is BUSL-1.1). Set TERRAFORM_NEW=/path/to/terraform to use
# another binary (>= 1.14).
#
# `go install github.com/hashicorp/terraform@vX` does not work: the module's go.mod replaces ten nested modules
# (internal/legacy and nine remote-state backends) with directories the module zip does not contain. So the module
# is copied to a scratch directory, those requirements and replacements are dropped, and the nine cloud state
# backends are taken out of internal/backend/init/init.go, the only file that imports them. Local state, plan,
# apply, import, query and actions are unaffected. About 5 minutes on 2 cores with a cold build cache.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
say() { printf 'terraform: %s\n' "$*" >&2; }
. .ci/lib.sh

version=${TERRAFORM_NEW_VERSION:-1.16.4}
tf=${TERRAFORM_NEW:-$cache/terraform-$version/terraform}

build() {
	local mod=github.com/hashicorp/terraform work
	say "building Terraform $version from the Go module proxy into $tf (one time)"
	download_module "$mod" "$version"
	mkdir -p "$(dirname "$tf")"
	work=$(mktemp -d "$(dirname "$tf")/src.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$work'" EXIT
	cp -r "$module_dir/." "$work"
	chmod -R u+w "$work"
	local nested=(internal/legacy)
	local b
	for b in azure consul cos gcs kubernetes oci oss pg s3; do
		nested+=("internal/backend/remote-state/$b")
	done
	local edits=()
	for b in "${nested[@]}"; do
		edits+=("-droprequire=$mod/$b" "-dropreplace=$mod/$b")
	done
	(cd "$work" && go mod edit "${edits[@]}")
	# The nine backends: their import lines and their entries in the backend map.
	sed -i -E '/backend(Azure|Consul|Cos|GCS|Kubernetes|OCI|OSS|Pg|S3)[ .]/d' "$work/internal/backend/init/init.go"
	(cd "$work" && go build -buildvcs=false -trimpath \
		-ldflags "-s -w -X $mod/version.dev=no" -o "$tf.tmp" .)
	mv "$tf.tmp" "$tf"
	rm -rf "$work"
	trap - EXIT
}

[[ -x "$tf" ]] || build

case "${1:-path}" in
path)
	printf '%s\n' "$tf"
	;;
test)
	cfg=$(mktemp)
	trap 'rm -f "$cfg"' EXIT
	say "$(TF_CLI_CONFIG_FILE=$cfg "$tf" version | sed -n 1p)"
	export TF_CLI_CONFIG_FILE=$cfg TF_ACC=1 TF_ACC_TERRAFORM_PATH="$tf"
	# The adoption guide with terraform query and actions run with -invoke (the rest of internal/demo runs in
	# make test), beside the provider acceptance suite, as go test runs packages side by side.
	go test ./internal/demo -run '^(TestQueryGuideFlow|TestInvokeFlow)$' -count=1 -timeout 20m &
	demo=$!
	rc=0
	go test ./internal/provider -count=1 -timeout 30m || rc=$?
	wait "$demo" || rc=$?
	exit "$rc"
	;;
*)
	say "usage: $0 [path|test]"
	exit 2
	;;
esac
