#!/usr/bin/env bash
# HTTP/1.1 benchmark: groupbuyd against nginx (`return 200`) on this machine, in the same run.
#
#   loadtest/peers/bench-http.sh [ROUNDS]      default 3 rounds
#
# Each round runs, for each server and route, `wrk -t1 -c64 -d10s --latency` with the server
# pinned to CPU 0 (one loop / one worker) and wrk pinned to CPU 1; servers and routes are
# interleaved so drift on the shared machine hits both alike. Prints every run and the
# medians (req/s, p99, requests per server CPU-second) with ratios to nginx. Requests per
# CPU-second (wrk's request count / the server's utime+stime during the run) is the figure to
# compare: it holds when other work shares CPU 0, where req/s does not. Settings (environment):
#   BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_ACCESS_LOG (false: groupbuyd's
#   access log off, as nginx's is),
#   BENCH_GROUPBUYD   a groupbuyd binary to measure instead of building this checkout's,
#   BENCH_BASELINE    a second groupbuyd binary (e.g. main before a change) measured in the same
#                     run as "baseline", against its own database groupbuy_baseline.
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

BASELINE_PORT=18092
GROUPBUYD="$(groupbuyd_binary)"
prepare_groupbuyd "${GROUPBUYD}"
servers=(nginx groupbuyd)
declare -A port_of=([nginx]="${NGINX_PORT}" [groupbuyd]="${GB_PORT}" [baseline]="${BASELINE_PORT}")
declare -A pid_of

mkdir -p /tmp/groupbuy-bench-nginx
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# One loop on CPU 0, access log as asked; $1 binary, $2 port, $3 database URL.
start_groupbuyd() {
    GROUPBUY_LOOPS_COUNT=1 GROUPBUY_SERVER_PORT="$2" GROUPBUY_SERVER_HOST=127.0.0.1 \
        GROUPBUY_DATABASE_URL="$3" GROUPBUY_LOG_ACCESS="${BENCH_ACCESS_LOG:-false}" GROUPBUY_LOG_LEVEL=warning \
        taskset -c 0 "$1" --config config/groupbuy.yaml >/dev/null &
}

taskset -c 0 nginx -c "${GROUPBUY_ROOT}/loadtest/peers/nginx.conf" &
pids+=($!); pid_of[nginx]=$!
start_groupbuyd "${GROUPBUYD}" "${GB_PORT}" "${DATABASE_URL}"
pids+=($!); pid_of[groupbuyd]=$!
if [[ -n "${BENCH_BASELINE:-}" ]]; then
    baseline_url="${DATABASE_URL%/*}/groupbuy_baseline"
    psql "${DATABASE_URL}" -qc "DROP DATABASE IF EXISTS groupbuy_baseline" -c "CREATE DATABASE groupbuy_baseline" >&2
    GROUPBUY_DATABASE_URL="${baseline_url}" "${BENCH_BASELINE}" --config config/groupbuy.yaml --migrate >&2
    start_groupbuyd "${BENCH_BASELINE}" "${BASELINE_PORT}" "${baseline_url}"
    pids+=($!); pid_of[baseline]=$!
    servers+=(baseline)
fi
ticks_per_second="$(getconf CLK_TCK)"

for port in "${port_of[@]}"; do
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:${port}/plaintext" >/dev/null && break
        sleep 0.1
    done
    curl -sf "http://127.0.0.1:${port}/plaintext" >/dev/null || die "nothing answers on port ${port}"
done

declare -A results
for round in $(seq 1 "${ROUNDS}"); do
    for route in plaintext json; do
        for server in "${servers[@]}"; do
            before="$(cpu_ticks "${pid_of[${server}]}")"
            read -r rps p99 requests < <(run_wrk "http://127.0.0.1:${port_of[${server}]}/${route}")
            after="$(cpu_ticks "${pid_of[${server}]}")"
            per_cpu="$(awk -v n="${requests}" -v t=$(( after - before )) -v hz="${ticks_per_second}" \
                'BEGIN {printf "%.0f", (t > 0 ? n * hz / t : 0)}')"
            printf 'round %s %-9s /%-9s %10s req/s  p99 %s ms  %10s req/cpu-s\n' \
                "${round}" "${server}" "${route}" "${rps}" "${p99}" "${per_cpu}"
            results["${server}/${route}/rps"]+="${rps} "
            results["${server}/${route}/p99"]+="${p99} "
            results["${server}/${route}/cpu"]+="${per_cpu} "
        done
    done
done

printf '\nmedians over %s rounds (wrk -t1 -c%s -d%s, server on cpu 0, wrk on cpu 1)\n' "${ROUNDS}" "${CONNECTIONS}" "${DURATION}"
printf '%-10s %-9s %12s %10s %14s\n' route server "req/s" "p99 ms" "req/cpu-s"
for route in plaintext json; do
    for server in "${servers[@]}"; do
        for figure in rps p99 cpu; do
            results["${server}/${route}/median_${figure}"]="$(median <<<"${results["${server}/${route}/${figure}"]}")"
        done
        printf '%-10s %-9s %12s %10s %14s\n' "/${route}" "${server}" "${results["${server}/${route}/median_rps"]}" \
            "${results["${server}/${route}/median_p99"]}" "${results["${server}/${route}/median_cpu"]}"
    done
    for server in "${servers[@]:1}"; do
        awk -v g="${results["${server}/${route}/median_rps"]}" -v n="${results["nginx/${route}/median_rps"]}" \
            -v gp="${results["${server}/${route}/median_p99"]}" -v np="${results["nginx/${route}/median_p99"]}" \
            -v gc="${results["${server}/${route}/median_cpu"]}" -v nc="${results["nginx/${route}/median_cpu"]}" \
            -v r="/${route}" -v s="${server}" \
            'BEGIN {printf "%-10s %-9s / nginx: req/s %.2fx   p99 %.2fx   req/cpu-s %.2fx\n", r, s, g/n, gp/np, gc/nc}'
    done
done
