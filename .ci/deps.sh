#!/usr/bin/env bash
# Installs what a fresh machine lacks for `make demo` / `make test`, and prints the prerequisites.
#
# Needs no root when everything is already there. Otherwise it uses apt-get (Debian/Ubuntu; through sudo when
# not root) for:
#   - libnss-wrapper: the local test cluster runs supervisord under nss_wrapper when the machine's addresses do
#     not reverse-resolve to 127.0.0.1 (the Supvisors self-identification trap, see internal/testlab/nss.go);
#   - python3-venv: the lab creates its own cached venv with the pinned Supvisors (internal/testlab/venv.go);
#   - iproute2: private network namespaces for the older Supvisors releases of `make test-compat`.
# Go and terraform (or tofu) are checked, never installed.
set -euo pipefail

say() { printf 'deps: %s\n' "$*"; }
missing_tools=0

if command -v go >/dev/null; then say "go: $(go version)"; else say "MISSING: go (https://go.dev/dl/)"; missing_tools=1; fi
tf=$(command -v terraform || command -v tofu || true)
if [[ -n "$tf" ]]; then say "terraform: $tf ($("$tf" version 2>/dev/null | sed -n 1p))"; else
	say "MISSING: terraform or tofu on PATH (https://developer.hashicorp.com/terraform/install or https://opentofu.org)"
	missing_tools=1
fi

apt_pkgs=()
py=${SUPVISORS_LAB_PYTHON:-$(command -v python3 || true)}
if [[ -z "$py" ]]; then
	say "python3 missing"
	apt_pkgs+=(python3 python3-venv)
else
	say "python: $py ($("$py" --version 2>&1))"
	if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
		say "python3 has no venv/ensurepip module"
		apt_pkgs+=(python3-venv)
	fi
fi

have_nss_wrapper() {
	[[ -n "${SUPVISORS_LAB_NSS_WRAPPER:-}" && -f "${SUPVISORS_LAB_NSS_WRAPPER}" ]] && return 0
	compgen -G '/usr/lib/*-linux-gnu*/libnss_wrapper.so' >/dev/null && return 0
	compgen -G '/lib/*-linux-gnu*/libnss_wrapper.so' >/dev/null && return 0
	local f
	for f in /usr/lib64/libnss_wrapper.so /usr/lib/libnss_wrapper.so /usr/local/lib/libnss_wrapper.so; do
		[[ -f "$f" ]] && return 0
	done
	return 1
}
if have_nss_wrapper; then say "libnss_wrapper.so: present"; else say "libnss_wrapper.so missing"; apt_pkgs+=(libnss-wrapper); fi

# iproute2: `make test-compat` runs Supvisors releases up to 0.17 in private network namespaces (ip netns)
if command -v ip >/dev/null; then say "ip: $(command -v ip)"; else say "ip (iproute2) missing"; apt_pkgs+=(iproute2); fi

if ((${#apt_pkgs[@]})); then
	if ! command -v apt-get >/dev/null; then
		say "FAIL: please install: ${apt_pkgs[*]} (no apt-get here; Fedora: nss_wrapper, python3)"
		exit 1
	fi
	sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		if command -v sudo >/dev/null; then sudo=(sudo); else say "FAIL: need root to apt-get install ${apt_pkgs[*]}"; exit 1; fi
	fi
	say "installing: ${apt_pkgs[*]}"
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}"
fi

if ((missing_tools)); then
	say "FAIL: install the missing tools above"
	exit 1
fi
say "ok (Supvisors itself is installed by the lab into a cached venv on first use)"
