# shellcheck shell=bash
# Shared by the flash-sale benchmarks. Source after scripts/lib/common.sh and
# loadtest/lib/bench.sh; uses DATABASE_URL and PG_BIN.

# Prints "<orders/s> <p99 ms> <failed>" for one pgbench run of start-group.sql pinned to CPU 1:
# DEAL STRATEGY CLIENTS SECONDS. p99 from the per-transaction log. Dies when pgbench fails
# (a client aborted on an error; refusals such as sold out are answers, not errors).
run_pgbench_start_group() {
    local deal="$1" strategy="$2" clients="$3" seconds="$4" out tps p99 failed logdir rc=0
    logdir="$(mktemp -d)"
    out="$(cd "${logdir}" && taskset -c 1 "${PG_BIN}/pgbench" -n -M prepared -c "${clients}" -j 1 -T "${seconds}" \
        -D deal_id="${deal}" -D strategy="${strategy}" -l \
        -f "${GROUPBUY_ROOT}/loadtest/flash-sale/start-group.sql" "${DATABASE_URL}" 2>&1)" || rc=$?
    if [[ "${rc}" -ne 0 ]]; then
        printf '%s\n' "${out}" | grep -v '^pgbench: client .* aborted' | tail -n 20 >&2
        printf '%s\n' "${out}" | grep -m3 'aborted' >&2 || true
        rm -rf "${logdir}"
        die "pgbench failed (exit ${rc}) on deal ${deal} with ${strategy}"
    fi
    tps="$(awk '/^tps = / {print $3; exit}' <<<"${out}")"
    failed="$(awk '/^number of failed transactions:/ {print $5; exit}' <<<"${out}")"
    p99="$(cat "${logdir}"/pgbench_log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int(NR*0.99)]/1000}')"
    rm -rf "${logdir}"
    printf '%.1f %s %s\n' "${tps}" "${p99}" "${failed:-0}"
}

# Dies unless deal DEAL holds exactly TOTAL units over its slots (and its stock_total says so),
# none negative, and its reserved units are exactly those of its reservations and of its live
# unpaid orders (nothing is paid during the benchmark).
check_stock_invariant() {
    local deal="$1" total="$2" row
    row="$(psql -X -qAt -v ON_ERROR_STOP=1 "${DATABASE_URL}" -F ' ' -c "
        SELECT coalesce(sum(available + reserved + sold), 0),
               (SELECT stock_total FROM deals WHERE id = ${deal}),
               coalesce(least(min(available), min(reserved), min(sold)), 0),
               coalesce(sum(reserved), 0),
               (SELECT coalesce(sum(quantity), 0) FROM reservations WHERE deal_id = ${deal}),
               (SELECT coalesce(sum(quantity), 0) FROM orders WHERE deal_id = ${deal} AND status = 'pending_payment')
        FROM deal_stock_slots WHERE deal_id = ${deal}")"
    local sum recorded lowest reserved in_reservations in_orders
    read -r sum recorded lowest reserved in_reservations in_orders <<<"${row}"
    if [[ "${sum}" != "${total}" || "${recorded}" != "${total}" || "${lowest}" -lt 0 \
        || "${reserved}" != "${in_reservations}" || "${reserved}" != "${in_orders}" ]]; then
        die "stock invariant broken for deal ${deal}: available+reserved+sold=${sum}, stock_total=${recorded} (put in ${total}), lowest ${lowest}, reserved ${reserved}, in reservations ${in_reservations}, in unpaid orders ${in_orders}"
    fi
}
