#!/usr/bin/env bash
# Heap allocations per request in steady state, counted (not sampled) with an LD_PRELOAD
# malloc counter (malloc-counter.c), for groupbuyd's /plaintext and /json.
#
#   loadtest/alloc/count-allocations.sh [REQUESTS]     default 200000
#   GROUPBUY_ALLOC_PORT=18440 loadtest/alloc/...       the server's port (default 18092)
#   BENCH_GROUPBUYD=path loadtest/alloc/...            count another groupbuyd binary
#
# Method: two runs of the release server, each warmed up the same way; the first serves
# 10,000 requests, the second 10,000 + REQUESTS (one keep-alive connection per wrk thread,
# 16 connections). Everything outside the steady state (start, warm-up, connections,
# shutdown) is equal in both runs, so (allocations₂ − allocations₁) / REQUESTS is what one
# request costs. The access log is off in one pair of runs and on in another.
set -euo pipefail

GROUPBUY_SCRIPT_NAME="count-allocations.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/bench.sh"
cd "${GROUPBUY_ROOT}"

EXTRA="${1:-200000}"
BASE=10000
PORT="${GROUPBUY_ALLOC_PORT:-18092}"
WORK="$(mktemp -d)"
trap 'rm -rf "${WORK}"' EXIT

ensure_deps
clang -O2 -shared -fPIC -o "${WORK}/malloc-counter.so" loadtest/alloc/malloc-counter.c
GROUPBUYD="$(groupbuyd_binary)"
prepare_groupbuyd "${GROUPBUYD}"

# Sends exactly N requests over 16 keep-alive connections (loadtest/lib/send-requests.py).
send_requests() {
    python3 loadtest/lib/send-requests.py "${PORT}" "$1" "$2"
}

# Prints the allocation count of one server run that serves `count` requests on `path`.
one_run() {
    local path="$1" count="$2" access_log="$3" out="${WORK}/count"
    rm -f "${out}"
    MALLOC_COUNTER_OUT="${out}" LD_PRELOAD="${WORK}/malloc-counter.so" \
        GROUPBUY_LOOPS_COUNT=1 GROUPBUY_SERVER_PORT="${PORT}" GROUPBUY_SERVER_HOST=127.0.0.1 \
        GROUPBUY_LOG_ACCESS="${access_log}" GROUPBUY_LOG_LEVEL=warning \
        "${GROUPBUYD}" --config config/groupbuy.yaml >/dev/null &
    local pid=$!
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:${PORT}/healthz" >/dev/null && break
        sleep 0.1
    done
    send_requests "${path}" "${count}"
    kill -TERM "${pid}"
    wait "${pid}"
    awk '$1 == "allocations" {print $2}' "${out}"
}

printf '%-10s %-10s %14s %14s %10s\n' route access_log "allocs(${BASE})" "allocs(+${EXTRA})" "per req"
for access_log in false true; do
    for path in /plaintext /json /plaintext/async; do
        a1="$(one_run "${path}" "${BASE}" "${access_log}")"
        a2="$(one_run "${path}" "$((BASE + EXTRA))" "${access_log}")"
        awk -v p="${path}" -v l="${access_log}" -v a="${a1}" -v b="${a2}" -v n="${EXTRA}" \
            'BEGIN {printf "%-10s %-10s %14d %14d %10.4f\n", p, l, a, b, (b - a) / n}'
    done
done
