#!/usr/bin/env bash
# HTTP/1.1 benchmark: groupbuyd against nginx (`return 200`) on this machine, in the same run.
#
#   loadtest/peers/bench-http.sh [ROUNDS]      default 3 rounds
#
# Each round runs, for each server and route, `wrk -t1 -c64 -d10s --latency` with the server
# pinned to CPU 0 (one loop / one worker) and wrk pinned to CPU 1; servers and routes are
# interleaved so drift on the shared machine hits both alike. Prints every run and the
# medians (req/s, p99) with groupbuyd/nginx ratios. Settings (environment):
#   BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_ACCESS_LOG (false: groupbuyd's
#   access log off, as nginx's is).
set -euo pipefail

GROUPBUY_SCRIPT_NAME="bench-http.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/bench.sh"
cd "${GROUPBUY_ROOT}"

ROUNDS="${1:-3}"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
GB_PORT=18091
NGINX_PORT=18090

ensure_deps
command -v nginx >/dev/null || die "nginx not found"

swift build -c release --product groupbuyd >&2
GROUPBUYD="$(swift build -c release --show-bin-path)/groupbuyd"
prepare_groupbuyd "${GROUPBUYD}"

mkdir -p /tmp/groupbuy-bench-nginx
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

taskset -c 0 nginx -c "${GROUPBUY_ROOT}/loadtest/peers/nginx.conf" &
pids+=($!)
GROUPBUY_LOOPS_COUNT=1 GROUPBUY_SERVER_PORT="${GB_PORT}" GROUPBUY_SERVER_HOST=127.0.0.1 \
    GROUPBUY_LOG_ACCESS="${BENCH_ACCESS_LOG:-false}" GROUPBUY_LOG_LEVEL=warning \
    taskset -c 0 "${GROUPBUYD}" --config config/groupbuy.yaml >/dev/null &
pids+=($!)

for port in "${NGINX_PORT}" "${GB_PORT}"; do
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:${port}/plaintext" >/dev/null && break
        sleep 0.1
    done
    curl -sf "http://127.0.0.1:${port}/plaintext" >/dev/null || die "nothing answers on port ${port}"
done

declare -A results
for round in $(seq 1 "${ROUNDS}"); do
    for route in plaintext json; do
        for server in nginx groupbuyd; do
            port="${NGINX_PORT}"
            [[ "${server}" == "groupbuyd" ]] && port="${GB_PORT}"
            read -r rps p99 < <(run_wrk "http://127.0.0.1:${port}/${route}")
            printf 'round %s %-9s /%-9s %10s req/s  p99 %s ms\n' "${round}" "${server}" "${route}" "${rps}" "${p99}"
            results["${server}/${route}/rps"]+="${rps} "
            results["${server}/${route}/p99"]+="${p99} "
        done
    done
done

printf '\nmedians over %s rounds (wrk -t1 -c%s -d%s, server on cpu 0, wrk on cpu 1)\n' "${ROUNDS}" "${CONNECTIONS}" "${DURATION}"
printf '%-10s %-9s %12s %10s\n' route server "req/s" "p99 ms"
for route in plaintext json; do
    for server in nginx groupbuyd; do
        rps="$(median <<<"${results["${server}/${route}/rps"]}")"
        p99="$(median <<<"${results["${server}/${route}/p99"]}")"
        results["${server}/${route}/median_rps"]="${rps}"
        results["${server}/${route}/median_p99"]="${p99}"
        printf '%-10s %-9s %12s %10s\n' "/${route}" "${server}" "${rps}" "${p99}"
    done
    awk -v g="${results["groupbuyd/${route}/median_rps"]}" -v n="${results["nginx/${route}/median_rps"]}" \
        -v gp="${results["groupbuyd/${route}/median_p99"]}" -v np="${results["nginx/${route}/median_p99"]}" \
        -v r="/${route}" 'BEGIN {printf "%-10s ratio     req/s %.2fx   p99 %.2fx\n", r, g/n, gp/np}'
done
