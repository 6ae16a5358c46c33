#!/usr/bin/env bash
# The flash sale of issue 4: one hot deal, 64 concurrent buyers each starting groups with
# quantity 1 until the run ends, through the service (POST /v1/groups) for the slot design and
# for the one-row baseline, and pgbench running the service's statement (start-group.sql) at
# the same concurrency, all in the same run.
#
#   loadtest/flash-sale/bench-flash-sale.sh [ROUNDS]      default 3 rounds
#
# Two groupbuyd (release, one loop each, both on CPU 0; only one is loaded at a time): one with
# orders.inventory_strategy=slots and catalog.slots_per_deal=BENCH_SLOTS, one with single_row
# and 1 slot per deal; database pool BENCH_POOL per loop. Per round and strategy: a fresh hot
# deal made through gbctl (active, group size 2, per-user limit 1000, stock BENCH_STOCK or
# sized from a probe to outlast BENCH_DURATION), then wrk on CPU 1 with one thread per
# connection so that every connection is one buyer with its own token
# (`wrk -t64 -c64 -d10s`, loadtest/flash-sale/start-group.lua); then pgbench
# (`-M prepared -c 64 -j 1 -T 10`, CPU 1) with start-group.sql on a fresh deal with the same
# slot count and 1,000,000 units, for both strategies. PostgreSQL and Redis are not pinned.
#
# Orders are 201 answers only. Any answer other than 201 or 409 sold-out fails the run; a
# sold-out before the end is reported. After every run the deal's stock invariant is checked
# (available + reserved + sold = what was put in, none negative, reserved = unpaid orders).
# Prints each run, the medians and the ratios the issue sets targets for:
#   service slots / service single_row (target >= 3), service slots / pgbench slots (>= 0.8).
#
# Settings (environment): BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_SLOTS (64),
# BENCH_POOL (64: PostgreSQL sees the same 64 concurrent transactions as with pgbench),
# BENCH_STOCK (empty: twice what a 3 s probe per strategy suggests for BENCH_DURATION), BENCH_PROFILE=1
# (perf record -g of groupbuyd and of the PostgreSQL backends during round 1's slots run;
# reports under BENCH_PROFILE_DIR, default /tmp/flash-sale-profile).
set -euo pipefail

GROUPBUY_SCRIPT_NAME="bench-flash-sale.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/bench.sh"
# shellcheck source=loadtest/flash-sale/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "${GROUPBUY_ROOT}"

ROUNDS="${1:-3}"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
SLOTS="${BENCH_SLOTS:-64}"
POOL="${BENCH_POOL:-64}"
FIXED_STOCK="${BENCH_STOCK:-}"
PROFILE="${BENCH_PROFILE:-0}"
PROFILE_DIR="${BENCH_PROFILE_DIR:-/tmp/flash-sale-profile}"
PGBENCH_STOCK=1000000
PER_USER_LIMIT=1000
SLOTS_PORT=18193
SINGLE_PORT=18194
HERE="${GROUPBUY_ROOT}/loadtest/flash-sale"
SECONDS_PER_RUN="${DURATION%s}"

ensure_deps
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
if [[ "${PROFILE}" == "1" ]]; then
    command -v perf >/dev/null 2>&1 || die "BENCH_PROFILE=1 needs perf"
fi

swift build -c release --product groupbuyd >&2
swift build -c release --product gbctl >&2
BIN="$(swift build -c release --show-bin-path)"

prepare_groupbuyd "${BIN}/groupbuyd"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "${work}"
}
trap cleanup EXIT

start_server() {
    local port="$1" strategy="$2" slots="$3"
    GROUPBUY_ORDERS_INVENTORY_STRATEGY="${strategy}" GROUPBUY_CATALOG_SLOTS_PER_DEAL="${slots}" \
        GROUPBUY_LOOPS_COUNT=1 GROUPBUY_SERVER_PORT="${port}" GROUPBUY_SERVER_HOST=127.0.0.1 GROUPBUY_LOG_ACCESS=false \
        GROUPBUY_LOG_LEVEL=warning GROUPBUY_DATABASE_POOL_MIN="${POOL}" GROUPBUY_DATABASE_POOL_MAX="${POOL}" \
        GROUPBUY_DATABASE_POOL_MAX_WAITERS="$((CONNECTIONS + 16))" GROUPBUY_REDIS_URL="${REDIS_URL}" \
        taskset -c 0 "${BIN}/groupbuyd" --config config/groupbuy.yaml >/dev/null &
    pids+=($!)
    for _ in $(seq 1 150); do
        curl -sf "http://127.0.0.1:${port}/healthz" >/dev/null && return 0
        sleep 0.1
    done
    die "groupbuyd (${strategy}) did not answer on port ${port}"
}
start_server "${SLOTS_PORT}" slots "${SLOTS}"
start_server "${SINGLE_PORT}" single_row 1
declare -A PORT=([slots]="${SLOTS_PORT}" [single_row]="${SINGLE_PORT}")
declare -A DEAL_SLOTS=([slots]="${SLOTS}" [single_row]=1)

# Buyers: one token per connection (wrk thread), the same buyers in every round (the
# per-user limit is per deal, and every run has a fresh deal).
admin_token="$(GBCTL_SERVER="http://127.0.0.1:${SLOTS_PORT}" "${BIN}/gbctl" token issue --user flash-admin --role admin --ttl 2h)"
for i in $(seq 1 "${CONNECTIONS}"); do
    "${BIN}/gbctl" token issue --user "flash-buyer-${i}" --role buyer --ttl 2h
done >"${work}/tokens"

# Makes a hot deal through the server of STRATEGY with STOCK units; prints its id.
create_deal() {
    local strategy="$1" stock="$2"
    GBCTL_SERVER="http://127.0.0.1:${PORT[${strategy}]}" GBCTL_TOKEN="${admin_token}" "${BIN}/gbctl" deals create --json \
        --title "Flash sale" --description "One hot deal, many buyers." --image-url "https://img.example/flash.jpg" \
        --currency EUR --list-price 2400 --group-price 1600 --group-size 2 --group-time-limit 86400 \
        --starts-at "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" --ends-at "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" \
        --per-user-limit "${PER_USER_LIMIT}" --status active --stock "${stock}" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# Prints "<orders/s> <p99 ms> <sold-out answers>" for one wrk run of STRATEGY on DEAL for SECS.
run_wrk_flash() {
    local strategy="$1" deal="$2" secs="$3" out line created sold_out other p99_us duration_us
    out="$(FLASH_DEAL_ID="${deal}" FLASH_TOKENS="${work}/tokens" taskset -c 1 \
        wrk -t"${CONNECTIONS}" -c"${CONNECTIONS}" -d"${secs}s" -s "${HERE}/start-group.lua" "http://127.0.0.1:${PORT[${strategy}]}" 2>&1)"
    line="$(grep '^FLASH created=' <<<"${out}" || true)"
    if [[ -z "${line}" ]] || grep -q "Socket errors" <<<"${out}"; then
        printf '%s\n' "${out}" >&2
        die "wrk failed against ${strategy}"
    fi
    created="$(sed -E 's/.*created=([0-9]+).*/\1/' <<<"${line}")"
    sold_out="$(sed -E 's/.*sold_out=([0-9]+).*/\1/' <<<"${line}")"
    other="$(sed -E 's/.*other=([0-9]+).*/\1/' <<<"${line}")"
    p99_us="$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"${line}")"
    duration_us="$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<<"${line}")"
    if [[ "${other}" != "0" ]]; then
        printf '%s\n' "${out}" >&2
        die "${other} answers that are neither 201 nor 409 sold-out from ${strategy}"
    fi
    awk -v c="${created}" -v d="${duration_us}" -v p="${p99_us}" -v s="${sold_out}" \
        'BEGIN { printf "%.1f %.2f %d\n", c / (d / 1e6), p / 1000, s }'
}

# Stock per strategy: fixed, or twice what a 3 s probe (after a 2 s warm-up) suggests.
declare -A STOCK
for strategy in slots single_row; do
    if [[ -n "${FIXED_STOCK}" ]]; then
        STOCK[${strategy}]="${FIXED_STOCK}"
        continue
    fi
    probe_deal="$(create_deal "${strategy}" "${PGBENCH_STOCK}")"
    run_wrk_flash "${strategy}" "${probe_deal}" 2 >/dev/null  # warm-up: pool connections, statement plans
    out="$(run_wrk_flash "${strategy}" "${probe_deal}" 3)"
    read -r probe_rate _ _ <<<"${out}"
    check_stock_invariant "${probe_deal}" "${PGBENCH_STOCK}"
    # Twice what the probe suggests: the machine is noisy, and a sale that ends early would
    # count its sold-out tail as lost throughput.
    STOCK[${strategy}]="$(awk -v r="${probe_rate}" -v s="${SECONDS_PER_RUN}" 'BEGIN { printf "%d", r * s * 2 + 100 }')"
    max_stock=$((CONNECTIONS * PER_USER_LIMIT))
    if (( STOCK[${strategy}] > max_stock )); then
        warn "${strategy}: ${STOCK[${strategy}]} units would exceed what ${CONNECTIONS} buyers may hold (${max_stock}); using ${max_stock}"
        STOCK[${strategy}]="${max_stock}"
    fi
    log "${strategy}: probe ${probe_rate} orders/s, stock per run ${STOCK[${strategy}]}"
done

# perf on groupbuyd and on the PostgreSQL backends while the load runs (round 1, slots).
profile_during() {
    local seconds="$1" server_pid="$2" backends
    mkdir -p "${PROFILE_DIR}"
    sleep 2
    backends="$(pgrep -d, -f 'postgres: groupbuy groupbuy' || true)"
    perf record -g -F 499 -o "${PROFILE_DIR}/groupbuyd.data" -p "${server_pid}" -- sleep "$((seconds - 4))" >/dev/null 2>&1 &
    if [[ -n "${backends}" ]]; then
        perf record -g -F 499 -o "${PROFILE_DIR}/postgres.data" -p "${backends}" -- sleep "$((seconds - 4))" >/dev/null 2>&1 &
    fi
    wait
}

declare -A results
for round in $(seq 1 "${ROUNDS}"); do
    for strategy in slots single_row; do
        deal="$(create_deal "${strategy}" "${STOCK[${strategy}]}")"
        if [[ "${PROFILE}" == "1" && "${round}" == "1" && "${strategy}" == "slots" ]]; then
            profile_during "${SECONDS_PER_RUN}" "${pids[0]}" &
            profiler=$!
        fi
        out="$(run_wrk_flash "${strategy}" "${deal}" "${SECONDS_PER_RUN}")"
        read -r rate p99 sold_out <<<"${out}"
        [[ -z "${profiler:-}" ]] || { wait "${profiler}"; profiler=""; }
        check_stock_invariant "${deal}" "${STOCK[${strategy}]}"
        note=""
        [[ "${sold_out}" == "0" ]] || note="  SOLD OUT before the end (${sold_out} sold-out answers)"
        printf 'round %s service %-10s %9s orders/s  p99 %8s ms%s\n' "${round}" "${strategy}" "${rate}" "${p99}" "${note}"
        results["service/${strategy}/rps"]+="${rate} "
        results["service/${strategy}/p99"]+="${p99} "
        [[ "${sold_out}" == "0" ]] || results["service/${strategy}/soldout"]+="${round} "
    done
    for strategy in slots single_row; do
        deal="$(psql -X -qAt -v ON_ERROR_STOP=1 -v slots="${DEAL_SLOTS[${strategy}]}" -v stock="${PGBENCH_STOCK}" \
            -f "${HERE}/create-deal.sql" "${DATABASE_URL}")"
        out="$(run_pgbench_start_group "${deal}" "${strategy}" "${CONNECTIONS}" "${SECONDS_PER_RUN}")"
        read -r rate p99 _ <<<"${out}"
        check_stock_invariant "${deal}" "${PGBENCH_STOCK}"
        printf 'round %s pgbench %-10s %9s orders/s  p99 %8s ms\n' "${round}" "${strategy}" "${rate}" "${p99}"
        results["pgbench/${strategy}/rps"]+="${rate} "
        results["pgbench/${strategy}/p99"]+="${p99} "
    done
    # Ratios within the round (the machine's noise moves both sides of a ratio alike).
    results["ratio/slots_single"]+="$(awk -v a="$(echo "${results["service/slots/rps"]}" | awk '{print $NF}')" \
        -v b="$(echo "${results["service/single_row/rps"]}" | awk '{print $NF}')" 'BEGIN { printf "%.3f", a / b }') "
    results["ratio/service_pgbench"]+="$(awk -v a="$(echo "${results["service/slots/rps"]}" | awk '{print $NF}')" \
        -v b="$(echo "${results["pgbench/slots/rps"]}" | awk '{print $NF}')" 'BEGIN { printf "%.3f", a / b }') "
done

printf '\nmedians over %s rounds: wrk -t%s -c%s -d%s on cpu 1 (one buyer per connection), groupbuyd 1 loop on cpu 0 with a pool of %s;\n' \
    "${ROUNDS}" "${CONNECTIONS}" "${CONNECTIONS}" "${DURATION}" "${POOL}"
printf 'pgbench -M prepared -c %s -j 1 -T %s on cpu 1; PostgreSQL unpinned; slot design with %s slots per deal\n' \
    "${CONNECTIONS}" "${SECONDS_PER_RUN}" "${SLOTS}"
printf '%-28s %12s %10s %s\n' what "orders/s" "p99 ms" "rounds"
for what in service/slots service/single_row pgbench/slots pgbench/single_row; do
    printf '%-28s %12s %10s %s\n' "${what/\// }" "$(median <<<"${results["${what}/rps"]}")" \
        "$(median <<<"${results["${what}/p99"]}")" "${results["${what}/rps"]}"
done
for strategy in slots single_row; do
    if [[ -n "${results["service/${strategy}/soldout"]:-}" ]]; then
        printf 'note: the %s deal sold out before the end in round(s) %s (raise BENCH_STOCK)\n' "${strategy}" "${results["service/${strategy}/soldout"]}"
    fi
done
printf 'stock per service run: slots %s, single_row %s units\n' "${STOCK[slots]}" "${STOCK[single_row]}"
awk -v r1="${results["ratio/slots_single"]}" -v r2="${results["ratio/service_pgbench"]}" \
    -v ps="$(median <<<"${results["pgbench/slots/rps"]}")" -v pr="$(median <<<"${results["pgbench/single_row/rps"]}")" 'BEGIN {
        printf "service slots / single_row     %.2fx median of rounds (%s) (target >= 3)\n", median(r1), r1
        printf "service slots / pgbench slots  %.2fx median of rounds (%s) (target >= 0.8)\n", median(r2), r2
        printf "pgbench slots / single_row     %.2fx (medians)\n", ps / pr
    }
    function median(list,   n, a, i, j, t) {
        n = split(list, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }'

if [[ "${PROFILE}" == "1" ]]; then
    for what in groupbuyd postgres; do
        [[ -f "${PROFILE_DIR}/${what}.data" ]] || continue
        perf report -i "${PROFILE_DIR}/${what}.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null \
            | grep -E '^ +[0-9]' | head -n 40 >"${PROFILE_DIR}/${what}-flat.txt" || true
        perf report -i "${PROFILE_DIR}/${what}.data" --children --sort sym --stdio -g none 2>/dev/null \
            | grep -E '^ +[0-9]' | head -n 80 >"${PROFILE_DIR}/${what}-children.txt" || true
    done
    log "profiles in ${PROFILE_DIR} (*-flat.txt, *-children.txt, perf report -i …data)"
fi
