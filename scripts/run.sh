#!/usr/bin/env bash
# Runs the service on a fresh Debian 12 machine: installs what is missing, starts a private
# PostgreSQL and Redis (scripts/services.sh), builds groupbuyd and gbctl in release mode,
# applies the migrations, and runs the server in the foreground with config/groupbuy.yaml.
# On first start it seeds a few demo deals, and it writes .local/gbctl.conf (server + an
# admin token for 12 h) so that `GBCTL_CONFIG=.local/gbctl.conf gbctl deals list` works.
# It also runs psp-sandbox (the stand-in card provider, docs/PSP.md) on port 8099 with a
# development API key and webhook secret (given to both in files, never on a command line that
# `ps` shows), and points groupbuyd's payments at it.
# The server's log (one JSON line per request) goes to .local/groupbuyd.log, the sandbox's to
# .local/psp-sandbox.log: at load the access log alone is tens of thousands of lines a second.
# Ctrl-C stops the server gracefully, then the sandbox and the services.
#
#   scripts/run.sh [groupbuyd options]     e.g. scripts/run.sh --print-config
#
# Settings (environment): any GROUPBUY_* setting (see config/groupbuy.yaml), e.g.
# GROUPBUY_SERVER_PORT=9000; GROUPBUY_RUN_LOG=<file> logs there instead, GROUPBUY_RUN_LOG=-
# to the terminal; GROUPBUY_KEEP_SERVICES=1 leaves PostgreSQL/Redis running;
# PSP_SANDBOX_PORT (8099); GROUPBUY_NO_SANDBOX=1 runs without the sandbox (payments as configured).
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
swift build -c release --product psp-sandbox
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

port="${GROUPBUY_SERVER_PORT:-8080}"
sandbox_pid=""
if [[ "${GROUPBUY_NO_SANDBOX:-0}" != "1" ]]; then
    # Development credentials for the sandbox, made once (never use them with a real provider).
    if [[ ! -s "${state_dir}/dev-psp" ]]; then
        printf 'sk_test_%s whsec_%s\n' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
            "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"${state_dir}/dev-psp"
        chmod 600 "${state_dir}/dev-psp"
    fi
    read -r psp_key psp_secret <"${state_dir}/dev-psp"
    # One file each, so that both programs read them rather than get them as arguments.
    (umask 077 && printf '%s\n' "${psp_key}" >"${state_dir}/psp-api-key" && printf '%s\n' "${psp_secret}" >"${state_dir}/psp-webhook-secret")
    sandbox_port="${PSP_SANDBOX_PORT:-8099}"
    log "starting psp-sandbox on port ${sandbox_port} (log: ${state_dir}/psp-sandbox.log)"
    "${bin_path}/psp-sandbox" --host 127.0.0.1 --port "${sandbox_port}" --api-key-file "${state_dir}/psp-api-key" \
        --webhook-url "http://127.0.0.1:${port}/v1/webhooks/psp" --webhook-secret-file "${state_dir}/psp-webhook-secret" \
        >"${state_dir}/psp-sandbox.log" 2>&1 &
    sandbox_pid=$!
    export GROUPBUY_PAYMENTS_PROVIDER_ADDRESS="127.0.0.1:${sandbox_port}" GROUPBUY_PAYMENTS_API_KEY_FILE="${state_dir}/psp-api-key" \
        GROUPBUY_PAYMENTS_WEBHOOK_SECRETS_FILE="${state_dir}/psp-webhook-secret"
    (umask 077 && printf 'PSP_URL=http://127.0.0.1:%s\nPSP_KEY=%s\n' "${sandbox_port}" "${psp_key}" >"${state_dir}/psp.env")
fi
stop_all() {
    if [[ -n "${sandbox_pid}" ]]; then kill -TERM "${sandbox_pid}" 2>/dev/null || true; fi
    stop_services_unless_kept
}
trap stop_all EXIT

log "applying migrations"
"${binary}" --config config/groupbuy.yaml --migrate

server_log="${GROUPBUY_RUN_LOG:-${state_dir}/groupbuyd.log}"
if [[ "${server_log}" == "-" ]]; then
    log "starting groupbuyd on port ${port}, logging here (Ctrl-C to stop)"
else
    log "starting groupbuyd on port ${port}, logging to ${server_log} (GROUPBUY_RUN_LOG=- for this terminal; Ctrl-C to stop)"
fi
# Not exec: the trap must stop the services after the server exits. SIGINT/SIGTERM reach the
# server (same process group for Ctrl-C; forwarded for a plain kill of this script). Its
# stderr stays here: a refusal to start (bad setting, no database) is read where it was run.
if [[ "${server_log}" == "-" ]]; then
    "${binary}" --config config/groupbuy.yaml "$@" &
else
    "${binary}" --config config/groupbuy.yaml "$@" >>"${server_log}" &
fi
server_pid=$!
trap 'kill -TERM "${server_pid}" 2>/dev/null || true' TERM INT

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
