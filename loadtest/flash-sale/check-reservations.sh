#!/usr/bin/env bash
# Reservation semantics under contention, at the SQL level: 64 pgbench clients buy a small
# stock until it is gone, with quantities 1..MAXQ and, in some cases, 30 % of orders rolled back
# after reserving. Per case it fails when
#   - PostgreSQL reports a deadlock (a pgbench client aborts),
#   - the stock invariant breaks (available + reserved + sold = stock, none negative,
#     reserved = reservations = unpaid orders),
#   - stock is left once the run is over (every unit must find a buyer), or
#   - a quantity-1 buyer was told "sold out" before the last unit was sold: a false sold-out,
#     e.g. while the units were held by a buyer who then rolled back.
#
#   loadtest/flash-sale/check-reservations.sh        (DATABASE_URL: a database with the schema)
#
# Cases (CHECK_CASES): "strategy:slots:stock:maxq:rollback_share ...".
set -euo pipefail

GROUPBUY_SCRIPT_NAME="check-reservations.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/bench.sh"
# shellcheck source=loadtest/flash-sale/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "${GROUPBUY_ROOT}"

: "${DATABASE_URL:?DATABASE_URL must name a database with the schema}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
HERE="${GROUPBUY_ROOT}/loadtest/flash-sale"
SECONDS_PER_CASE="${CHECK_SECONDS:-8}"
read -r -a CASES <<<"${CHECK_CASES:-slots:64:700:5:0 slots:16:1000:1:0 slots:8:500:3:0 slots:1:300:2:0 slots:16:400:3:0.3 slots:4:400:1:0.3 single_row:1:400:2:0.3}"

psql_q() {
    psql -X -qAt -v ON_ERROR_STOP=1 "${DATABASE_URL}" "$@"
}
psql_q -c "DROP SCHEMA IF EXISTS flash_check CASCADE" 2>/dev/null
psql_q -f "${HERE}/check-reservations.sql"
trap 'psql_q -c "DROP SCHEMA IF EXISTS flash_check CASCADE" >/dev/null 2>&1 || true' EXIT

failed=0
for case in "${CASES[@]}"; do
    IFS=: read -r strategy slots stock maxq rollback <<<"${case}"
    deal="$(psql_q -v slots="${slots}" -v stock="${stock}" -f "${HERE}/create-deal.sql")"
    rc=0
    out="$(taskset -c 1 "${PG_BIN}/pgbench" -n -M prepared --failures-detailed -c 64 -j 1 -T "${SECONDS_PER_CASE}" \
        -D deal_id="${deal}" -D strategy="${strategy}" -D maxq="${maxq}" -D rollback="${rollback}" \
        -f "${HERE}/check-reservations-buyer.sql" "${DATABASE_URL}" 2>&1)" || rc=$?
    check_stock_invariant "${deal}" "${stock}"
    read -r ok sold_out units left early <<<"$(psql_q -F ' ' -c "
        SELECT count(*) FILTER (WHERE outcome = 'ok'), count(*) FILTER (WHERE outcome = 'sold_out'),
               coalesce(sum(quantity) FILTER (WHERE outcome = 'ok'), 0),
               (SELECT sum(available) FROM deal_stock_slots WHERE deal_id = ${deal}),
               count(*) FILTER (WHERE outcome = 'sold_out' AND quantity = 1
                                AND at < (SELECT max(at) FROM flash_check.outcomes WHERE deal_id = ${deal} AND outcome = 'ok'))
        FROM flash_check.outcomes WHERE deal_id = ${deal}")"
    verdict="ok"
    # pgbench (15+) counts deadlocks as failed transactions and carries on; other errors abort.
    deadlocks="$(awk '/^number of deadlock failures:/ {print $5; exit}' <<<"${out}")"
    failures="$(awk '/^number of failed transactions:/ {print $5; exit}' <<<"${out}")"
    if [[ "${rc}" -ne 0 || "${failures:-0}" != "0" || "${deadlocks:-0}" != "0" ]]; then
        verdict="FAILED: pgbench exit ${rc}, ${failures:-?} failed transactions of which ${deadlocks:-?} deadlocks $(grep -m1 -E 'ERROR|aborted' <<<"${out}" || true)"
    elif [[ "${left}" != "0" ]]; then
        verdict="FAILED: ${left} units left unsold (raise CHECK_SECONDS if the run was just too short)"
    elif [[ "${early}" != "0" ]]; then
        verdict="FAILED: ${early} quantity-1 buyers told sold out before the last unit was sold"
    elif [[ "${units}" != "${stock}" ]]; then
        verdict="FAILED: orders hold ${units} units, stock was ${stock}"
    fi
    printf '%-10s slots %4s stock %5s qty 1-%s rollback %-4s: %5s orders, %6s sold-out answers: %s\n' \
        "${strategy}" "${slots}" "${stock}" "${maxq}" "${rollback}" "${ok}" "${sold_out}" "${verdict}"
    [[ "${verdict}" == "ok" ]] || failed=1
done
[[ "${failed}" -eq 0 ]] || die "reservation check failed"
