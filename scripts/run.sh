#!/usr/bin/env bash
# Runs the service on a fresh Debian 12 machine: installs what is missing, starts a private
# PostgreSQL and Redis (scripts/services.sh), builds groupbuyd and gbctl in release mode,
# applies the migrations, and runs the server in the foreground with config/groupbuy.yaml.
# On first start it seeds a few demo deals, and it writes .local/gbctl.conf (server + an
# admin token for 12 h) so that `GBCTL_CONFIG=.local/gbctl.conf gbctl deals list` works.
# Ctrl-C stops the server gracefully, then the services.
#
#   scripts/run.sh [groupbuyd options]     e.g. scripts/run.sh --print-config
#
# Settings (environment): any GROUPBUY_* setting (see config/groupbuy.yaml), e.g.
# GROUPBUY_SERVER_PORT=9000; GROUPBUY_KEEP_SERVICES=1 leaves PostgreSQL/Redis running.
set -euo pipefail

GROUPBUY_SCRIPT_NAME="run.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "${GROUPBUY_ROOT}"

ensure_deps

trap stop_services_unless_kept EXIT

# Checked apart from eval: `eval "$(…)"` would run an empty string, and succeed, when start fails.
service_env="$(scripts/services.sh start)" || die "could not start PostgreSQL and Redis (see above)"
eval "${service_env}"
export DATABASE_URL REDIS_URL

log "building groupbuyd and gbctl (release)"
swift build -c release --product groupbuyd
swift build -c release --product gbctl
bin_path="$(swift build -c release --show-bin-path)"
binary="${bin_path}/groupbuyd"
gbctl="${bin_path}/gbctl"

# A development JWT key, made once and kept with the local state (never use it in production).
state_dir="${GROUPBUY_STATE_DIR:-${GROUPBUY_ROOT}/.local}"
mkdir -p "${state_dir}"
if [[ -z "${GROUPBUY_AUTH_JWT_KEYS:-}" && -z "${GROUPBUY_AUTH_JWT_KEYS_FILE:-}" ]]; then
    if [[ ! -s "${state_dir}/dev-jwt-keys" ]]; then
        printf 'dev:%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"${state_dir}/dev-jwt-keys"
        chmod 600 "${state_dir}/dev-jwt-keys"
    fi
    export GROUPBUY_AUTH_JWT_KEYS_FILE="${state_dir}/dev-jwt-keys"
fi

log "applying migrations"
"${binary}" --config config/groupbuy.yaml --migrate

log "starting groupbuyd on port ${GROUPBUY_SERVER_PORT:-8080} (Ctrl-C to stop)"
# Not exec: the trap must stop the services after the server exits. SIGINT/SIGTERM reach the
# server (same process group for Ctrl-C; forwarded for a plain kill of this script).
"${binary}" --config config/groupbuy.yaml "$@" &
server_pid=$!
trap 'kill -TERM "${server_pid}" 2>/dev/null || true' TERM INT

port="${GROUPBUY_SERVER_PORT:-8080}"
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:${port}/healthz" >/dev/null 2>&1 && break
    kill -0 "${server_pid}" 2>/dev/null || break
    sleep 0.1
done
if curl -fsS "http://127.0.0.1:${port}/healthz" >/dev/null 2>&1; then
    token="$(GROUPBUY_AUTH_JWT_KEYS="${GROUPBUY_AUTH_JWT_KEYS:-$(cat "${GROUPBUY_AUTH_JWT_KEYS_FILE}")}" \
        "${gbctl}" token issue --user local-admin --role admin --ttl 12h)"
    printf 'server: http://127.0.0.1:%s\ntoken: %s\n' "${port}" "${token}" >"${state_dir}/gbctl.conf"
    chmod 600 "${state_dir}/gbctl.conf"
    GBCTL_CONFIG="${state_dir}/gbctl.conf" scripts/seed-demo.sh "${gbctl}" || warn "seeding demo deals failed"
    log "ready: curl localhost:${port}/v1/deals   or   GBCTL_CONFIG=${state_dir}/gbctl.conf ${gbctl} deals list"
fi
status=0
wait "${server_pid}" || status=$?
# A signal interrupts the first wait; wait again for the server's graceful exit.
if kill -0 "${server_pid}" 2>/dev/null; then
    wait "${server_pid}" || status=$?
fi
exit "${status}"
