#!/usr/bin/env bash
# GET /v1/deals/{id} from the near cache, from Redis and from PostgreSQL, against the same
# server's /json and against pgbench running the same SELECT, all in the same run.
#
#   loadtest/catalog/bench-catalog.sh [ROUNDS]      default 3 rounds
#
# Three groupbuyd (release, one loop each, all on CPU 0; only one is loaded at a time): the
# default (per-loop near cache in front of Redis), Redis only (near cache off), and none
# (redis.url="", near cache off); database pool of 16 per loop. wrk runs on
# CPU 1 (`wrk -t1 -c64 -d10s --latency`); pgbench runs `-M prepared -c 16 -j 1 -T 10` with
# loadtest/catalog/select.sql (the service's read statement). PostgreSQL and Redis are not
# pinned. Prints each run, the medians and the ratios the issue sets targets for:
# cache hit / json (target >= 0.6; near cache and Redis shown apart) and database / pgbench
# (target >= 0.8).
# Settings (environment): BENCH_DURATION (10s), BENCH_CONNECTIONS (64).
set -euo pipefail

GROUPBUY_SCRIPT_NAME="bench-catalog.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/bench.sh"
cd "${GROUPBUY_ROOT}"

ROUNDS="${1:-3}"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
CACHED_PORT=18093
UNCACHED_PORT=18094
REDIS_ONLY_PORT=18095

ensure_deps
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

swift build -c release --product groupbuyd >&2
swift build -c release --product gbctl >&2
BIN="$(swift build -c release --show-bin-path)"

prepare_groupbuyd "${BIN}/groupbuyd"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

start_server() {
    local port="$1" redis_url="$2" near_ttl="$3"
    GROUPBUY_CATALOG_NEAR_CACHE_TTL_MS="${near_ttl}" GROUPBUY_LOOPS_COUNT=1 GROUPBUY_SERVER_PORT="${port}" GROUPBUY_SERVER_HOST=127.0.0.1 GROUPBUY_LOG_ACCESS=false \
        GROUPBUY_LOG_LEVEL=warning GROUPBUY_DATABASE_POOL_MIN=16 GROUPBUY_DATABASE_POOL_MAX=16 GROUPBUY_REDIS_URL="${redis_url}" \
        taskset -c 0 "${BIN}/groupbuyd" --config config/groupbuy.yaml >/dev/null &
    pids+=($!)
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:${port}/healthz" >/dev/null && return 0
        sleep 0.1
    done
    die "groupbuyd did not answer on port ${port}"
}
start_server "${CACHED_PORT}" "${REDIS_URL}" 1000
start_server "${REDIS_ONLY_PORT}" "${REDIS_URL}" 0
start_server "${UNCACHED_PORT}" "" 0

export GBCTL_SERVER="http://127.0.0.1:${CACHED_PORT}"
GBCTL_TOKEN="$("${BIN}/gbctl" token issue --user bench --role admin --ttl 1h)"
export GBCTL_TOKEN
deal_id="$("${BIN}/gbctl" deals create --json --title "Benchmark deal" --description "A deal of typical size for the read benchmark." \
    --image-url "https://img.example/bench.jpg" --currency EUR --list-price 2400 --group-price 1600 --group-size 3 \
    --group-time-limit 86400 --starts-at 2026-01-01T00:00:00Z --ends-at 2030-01-01T00:00:00Z --per-user-limit 2 \
    --status active --stock 100 | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
curl -sf "http://127.0.0.1:${CACHED_PORT}/v1/deals/${deal_id}" >/dev/null  # now in Redis

# Prints "<tps> <p99 in ms>" for one pgbench run (p99 from the per-transaction log).
run_pgbench() {
    local out tps logdir p99
    logdir="$(mktemp -d)"
    out="$(cd "${logdir}" && taskset -c 1 "${PG_BIN}/pgbench" -n -M prepared -c 16 -j 1 -T "${DURATION%s}" -D deal_id="${deal_id}" \
        -l -f "${GROUPBUY_ROOT}/loadtest/catalog/select.sql" "${DATABASE_URL}" 2>&1)"
    tps="$(awk '/^tps = / {print $3}' <<<"${out}")"
    p99="$(cat "${logdir}"/pgbench_log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int(NR*0.99)]/1000}')"
    rm -rf "${logdir}"
    printf '%s %s\n' "${tps}" "${p99}"
}

declare -A results
for round in $(seq 1 "${ROUNDS}"); do
    for what in json cached redis database pgbench; do
        case "${what}" in
            json) read -r rps p99 _ < <(run_wrk "http://127.0.0.1:${CACHED_PORT}/json") ;;
            cached) read -r rps p99 _ < <(run_wrk "http://127.0.0.1:${CACHED_PORT}/v1/deals/${deal_id}") ;;
            redis) read -r rps p99 _ < <(run_wrk "http://127.0.0.1:${REDIS_ONLY_PORT}/v1/deals/${deal_id}") ;;
            database) read -r rps p99 _ < <(run_wrk "http://127.0.0.1:${UNCACHED_PORT}/v1/deals/${deal_id}") ;;
            pgbench) read -r rps p99 < <(run_pgbench) ;;
        esac
        printf 'round %s %-9s %10s req/s  p99 %s ms\n' "${round}" "${what}" "${rps}" "${p99}"
        results["${what}/rps"]+="${rps} "
        results["${what}/p99"]+="${p99} "
    done
done

printf '\nmedians over %s rounds (wrk -t1 -c%s -d%s on cpu 1, groupbuyd 1 loop on cpu 0; pgbench -M prepared -c 16 -j 1 on cpu 1)\n' \
    "${ROUNDS}" "${CONNECTIONS}" "${DURATION}"
printf '%-22s %12s %10s\n' what "req/s" "p99 ms"
for what in json cached redis database pgbench; do
    results["${what}/median_rps"]="$(median <<<"${results["${what}/rps"]}")"
    results["${what}/median_p99"]="$(median <<<"${results["${what}/p99"]}")"
done
printf '%-22s %12s %10s\n' "/json" "${results[json/median_rps]}" "${results[json/median_p99]}"
printf '%-22s %12s %10s\n' "deal, near cache" "${results[cached/median_rps]}" "${results[cached/median_p99]}"
printf '%-22s %12s %10s\n' "deal, Redis only" "${results[redis/median_rps]}" "${results[redis/median_p99]}"
printf '%-22s %12s %10s\n' "deal from PostgreSQL" "${results[database/median_rps]}" "${results[database/median_p99]}"
printf '%-22s %12s %10s\n' "pgbench same SELECT" "${results[pgbench/median_rps]}" "${results[pgbench/median_p99]}"
awk -v c="${results[cached/median_rps]}" -v j="${results[json/median_rps]}" -v d="${results[database/median_rps]}" \
    -v p="${results[pgbench/median_rps]}" -v r="${results[redis/median_rps]}" 'BEGIN {
        printf "cache hit / json      %.2fx near cache, %.2fx Redis only (target >= 0.60)\n", c / j, r / j
        printf "database / pgbench    %.2fx (target >= 0.80)\n", d / p
    }'
