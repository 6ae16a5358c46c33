#!/usr/bin/env bash
# The flash sale at the SQL level: pgbench running gb_order_in_group (start-group.sql) on one hot
# deal, for the one-row baseline and for the slot design at several slot counts, in the same run.
#
#   loadtest/flash-sale/bench-sql.sh [ROUNDS]          default 3 rounds
#
# Per round and case: a fresh deal (create-deal.sql: active, group size 2, per-user limit 1000,
# BENCH_STOCK units over the case's slot count), then
#   taskset -c 1 pgbench -n -M prepared -c 64 -j 1 -T 10 -f start-group.sql
# (each client its own buyer; PostgreSQL unpinned), then the stock invariant of that deal:
# sum(available + reserved + sold) = BENCH_STOCK, reserved = orders made, none negative.
# The cases run interleaved within a round so that the machine's noise hits them alike.
# Prints each run, then medians, and each case's ratio to single_row.
#
# Needs the private PostgreSQL with the schema (DATABASE_URL; scripts/services.sh start and
# groupbuyd --migrate, or psql -f each of migrations/*.sql, then of migrations/functions/*.sql).
# Settings (environment): BENCH_DURATION (10), BENCH_CLIENTS (64), BENCH_STOCK (1000000),
# BENCH_CASES ("single_row:1 slots:1 slots:4 slots:16 slots:64 slots:256").
set -euo pipefail

GROUPBUY_SCRIPT_NAME="bench-sql.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/bench.sh"
# shellcheck source=loadtest/flash-sale/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "${GROUPBUY_ROOT}"

ROUNDS="${1:-3}"
DURATION="${BENCH_DURATION:-10}"
CLIENTS="${BENCH_CLIENTS:-64}"
STOCK="${BENCH_STOCK:-1000000}"
read -r -a CASES <<<"${BENCH_CASES:-single_row:1 slots:1 slots:4 slots:16 slots:64 slots:256}"
: "${DATABASE_URL:?DATABASE_URL must name the database (eval \"\$(scripts/services.sh env)\")}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
HERE="${GROUPBUY_ROOT}/loadtest/flash-sale"

psql_q() {
    psql -X -qAt -v ON_ERROR_STOP=1 "${DATABASE_URL}" "$@"
}

declare -A results
for round in $(seq 1 "${ROUNDS}"); do
    for case in "${CASES[@]}"; do
        strategy="${case%%:*}"
        slots="${case##*:}"
        deal_id="$(psql_q -v slots="${slots}" -v stock="${STOCK}" -f "${HERE}/create-deal.sql")"
        out="$(run_pgbench_start_group "${deal_id}" "${strategy}" "${CLIENTS}" "${DURATION}")"
        read -r tps p99 failed <<<"${out}"
        check_stock_invariant "${deal_id}" "${STOCK}"
        orders="$(psql_q -c "SELECT count(*) FROM orders WHERE deal_id = ${deal_id}")"
        printf 'round %s %-10s slots %4s %9s orders/s  p99 %8s ms  orders %s\n' \
            "${round}" "${strategy}" "${slots}" "${tps}" "${p99}" "${orders}"
        [[ "${failed}" == "0" ]] || die "pgbench reported ${failed} failed transactions"
        # A sold-out answer is a cheap refusal, not an error: a run that sold out measured those.
        left="$(psql_q -c "SELECT sum(available) FROM deal_stock_slots WHERE deal_id = ${deal_id}")"
        [[ "${left}" -gt 0 ]] || die "deal ${deal_id} sold out during the run: raise BENCH_STOCK"
        results["${case}/tps"]+="${tps} "
        results["${case}/p99"]+="${p99} "
    done
done

printf '\nmedians over %s rounds (pgbench -M prepared -c %s -j 1 -T %s on cpu 1, PostgreSQL unpinned; stock %s)\n' \
    "${ROUNDS}" "${CLIENTS}" "${DURATION}" "${STOCK}"
printf '%-10s %6s %12s %10s %14s\n' strategy slots "orders/s" "p99 ms" "x single_row"
base="$(median <<<"${results["single_row:1/tps"]:-0}")"
for case in "${CASES[@]}"; do
    tps="$(median <<<"${results["${case}/tps"]}")"
    p99="$(median <<<"${results["${case}/p99"]}")"
    awk -v s="${case%%:*}" -v n="${case##*:}" -v t="${tps}" -v p="${p99}" -v b="${base}" \
        'BEGIN { printf "%-10s %6s %12.0f %10.2f %14s\n", s, n, t, p, (b > 0 ? sprintf("%.2fx", t / b) : "-") }'
done
