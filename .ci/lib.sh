# Shared by .ci/terraform.sh and .ci/tofu.sh (sourced after they cd to the repository root and define say).
# shellcheck shell=bash

# cache is the folder the test lab caches into, where the CLIs built from their Go modules are kept.
# shellcheck disable=SC2034 # used by the scripts that source this file
cache=${SUPVISORS_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-supvisors}

# download_module MODULE VERSION downloads MODULE@vVERSION through the Go module proxy (the only place this project
# fetches a CLI from) into the Go module cache and sets module_dir to its directory; it says FAIL and exits when
# the module cannot be had.
download_module() {
	module_dir=$(go mod download -json "$1@v$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	if [[ -z "$module_dir" || ! -d "$module_dir" ]]; then
		say "FAIL: could not download $1@v$2 through the Go module proxy"
		exit 1
	fi
}
