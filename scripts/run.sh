#!/usr/bin/env bash
# Runs the service on a fresh Debian 12 machine: installs what is missing, starts a private
# PostgreSQL and Redis (scripts/services.sh), builds groupbuyd in release mode and runs it
# in the foreground with config/groupbuy.yaml. Ctrl-C stops the server gracefully, then the
# services.
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

log "building groupbuyd (release)"
swift build -c release --product groupbuyd
binary="$(swift build -c release --show-bin-path)/groupbuyd"

log "starting groupbuyd on port ${GROUPBUY_SERVER_PORT:-8080} (Ctrl-C to stop); try: curl localhost:${GROUPBUY_SERVER_PORT:-8080}/json"
# Not exec: the trap must stop the services after the server exits. SIGINT/SIGTERM reach the
# server (same process group for Ctrl-C; forwarded for a plain kill of this script).
"${binary}" --config config/groupbuy.yaml "$@" &
server_pid=$!
trap 'kill -TERM "${server_pid}" 2>/dev/null || true' TERM INT
status=0
wait "${server_pid}" || status=$?
# A signal interrupts the first wait; wait again for the server's graceful exit.
if kill -0 "${server_pid}" 2>/dev/null; then
    wait "${server_pid}" || status=$?
fi
exit "${status}"
