# shellcheck shell=bash
# Shared helpers for the scripts under scripts/ and loadtest/. Source it, do not run it:
#
#   # shellcheck source=scripts/lib/common.sh
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Provides:
#   GROUPBUY_ROOT       absolute path of the repository root (the folder holding Package.swift)
#   log / warn / die    messages on stderr, prefixed with the calling script's name
#   ensure_deps         installs the Debian packages the project needs when any is missing
#   as_root             runs a command as root (directly when we are root, else through sudo)
#
# Everything here works without a terminal: no colours, no prompts.

if [[ -n "${GROUPBUY_COMMON_SH_LOADED:-}" ]]; then
    return 0
fi
GROUPBUY_COMMON_SH_LOADED=1

# Repository root: two levels above this file (scripts/lib/common.sh), resolved physically so
# that symlinked checkouts give one stable path (services.sh hashes it).
GROUPBUY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
if [[ ! -f "${GROUPBUY_ROOT}/Package.swift" && ! -d "${GROUPBUY_ROOT}/.git" ]]; then
    printf '%s: cannot find the repository root (looked at %s)\n' "${0##*/}" "${GROUPBUY_ROOT}" >&2
    exit 1
fi
export GROUPBUY_ROOT

# Name used to prefix messages: the script that sourced us.
GROUPBUY_SCRIPT_NAME="${GROUPBUY_SCRIPT_NAME:-${0##*/}}"

log() {
    printf '[%s] %s\n' "${GROUPBUY_SCRIPT_NAME}" "$*" >&2
}

warn() {
    printf '[%s] warning: %s\n' "${GROUPBUY_SCRIPT_NAME}" "$*" >&2
}

die() {
    printf '[%s] error: %s\n' "${GROUPBUY_SCRIPT_NAME}" "$*" >&2
    exit 1
}

# Runs "$@" as root: directly when we already are root, otherwise through sudo.
as_root() {
    if [[ "${EUID}" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root for: $* (not root and sudo is not installed)"
    fi
}

# Debian packages the project needs to build, test and benchmark. Keep this list in sync with
# the apt providers in Package.swift and with deploy/Dockerfile.
GROUPBUY_DEBIAN_PACKAGES=(
    libpq-dev           # CPostgres
    libhiredis-dev      # CHiredis
    libnghttp2-dev      # CNghttp2
    libssl-dev          # COpenSSL
    pkg-config          # system-library targets find the C libraries through pkg-config
    postgresql          # private dev/test cluster (scripts/services.sh)
    postgresql-contrib
    redis-server        # private dev/test redis (scripts/services.sh)
    curl
    wrk                 # HTTP benchmark (loadtest/peers/bench-http.sh)
    nginx-light         # HTTP benchmark reference server
    nghttp2-client      # h2load, nghttp: HTTP/2 checks and benchmarks
    python3
    python3-pip
    jq
    procps              # pgrep, ps, free
    libclang-rt-14-dev  # compiler-rt runtimes (sanitizers)
)

# Prints the packages of "$@" that are not fully installed, one per line.
missing_debian_packages() {
    local pkg status
    for pkg in "$@"; do
        status="$(dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null || true)"
        if [[ "${status}" != "install ok installed" ]]; then
            printf '%s\n' "${pkg}"
        fi
    done
}

# Installs whatever of GROUPBUY_DEBIAN_PACKAGES is missing: one apt-get update, one apt-get
# install. Silent when everything is present. Set GROUPBUY_SKIP_DEPS=1 to skip the check.
#
# Note: on some machines the postinst of Debian's postgresql / redis-server / nginx packages
# starts system instances (postgres on 5432, redis on 6379, nginx on 80). Nothing here uses or
# touches them: scripts/services.sh runs private instances on their own ports and folders.
ensure_deps() {
    if [[ "${GROUPBUY_SKIP_DEPS:-0}" == "1" ]]; then
        return 0
    fi
    command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: these scripts expect Debian 12"

    local missing=()
    mapfile -t missing < <(missing_debian_packages "${GROUPBUY_DEBIAN_PACKAGES[@]}")
    if [[ "${#missing[@]}" -eq 0 ]]; then
        return 0
    fi

    log "installing missing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        || die "apt-get update failed"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" \
        || die "apt-get install failed for: ${missing[*]}"

    mapfile -t missing < <(missing_debian_packages "${GROUPBUY_DEBIAN_PACKAGES[@]}")
    if [[ "${#missing[@]}" -ne 0 ]]; then
        die "still missing after apt-get install: ${missing[*]}"
    fi
    log "Debian packages installed"
}

# Seconds since the epoch (for durations in summaries).
now_seconds() {
    date +%s
}

# Formats a number of seconds as e.g. "4m12s".
format_duration() {
    local s="$1"
    if [[ "${s}" -ge 60 ]]; then
        printf '%dm%02ds' "$((s / 60))" "$((s % 60))"
    else
        printf '%ds' "${s}"
    fi
}

# Stops the private PostgreSQL and Redis unless GROUPBUY_KEEP_SERVICES=1 (for EXIT traps).
stop_services_unless_kept() {
    if [[ "${GROUPBUY_KEEP_SERVICES:-0}" != "1" ]]; then
        "${GROUPBUY_ROOT}/scripts/services.sh" stop || warn "stopping the services failed"
    fi
}
