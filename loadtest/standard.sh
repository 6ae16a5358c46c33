#!/usr/bin/env bash
# The standard benchmark set, with its figures written to a dated results file:
#
#   loadtest/standard.sh          → loadtest/results/<YYYY-MM-DD>.md (+ each run's JSON and HTML report
#                                   in loadtest/results/<YYYY-MM-DD>/)
#
#   1. gbload against wrk, both loading nginx's `return 200` (loadtest/peers/bench-gbload.sh):
#      gbload must not be the bottleneck (≥ 1.0× wrk's req/s in the same run);
#   2. flash-sale: orders/s until sold out and p99 of placing an order;
#   3. browse at a fixed open-loop rate of 5,000 req/s: achieved req/s and p99 (target ≤ 2 ms);
#   4. group-lifecycle, closed loop with 32 virtual users: completed (succeeded) groups per second.
#
# Release builds; groupbuyd runs with one loop pinned to CPU 0, gbload on CPU 1, PostgreSQL
# wherever the kernel puts it (2 cores: the figures are for this machine, compare ratios).
# Settings (environment): STANDARD_ROUNDS (3, rounds of the wrk comparison), STANDARD_PORT
# (18281), STANDARD_SANDBOX_PORT (18299).
set -euo pipefail

GROUPBUY_SCRIPT_NAME="standard.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"
cd "${GROUPBUY_ROOT}"

ensure_deps
service_env="$(scripts/services.sh start)" || die "could not start PostgreSQL and Redis"
eval "${service_env}"
export DATABASE_URL REDIS_URL

for product in gbload groupbuyd gbctl psp-sandbox; do swift build -c release --product "${product}" >&2; done
bin="$(swift build -c release --show-bin-path)"

day="$(date -u +%Y-%m-%d)"
results="loadtest/results/${day}.md"
reports="loadtest/results/${day}"
mkdir -p "${reports}"
port="${STANDARD_PORT:-18281}"
sandbox_port="${STANDARD_SANDBOX_PORT:-18299}"
trap stop_stack EXIT

# A figure from a gbload JSON report: json_figure FILE PYTHON-EXPRESSION (on `r`, the report).
json_figure() {
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# run_scenario NAME [gbload flags]: a fresh stack and database, then the scenario; the JSON
# report lands in ${reports}/NAME.json.
run_scenario() {
    local name="$1"
    shift
    STACK_ENV="GROUPBUY_DATABASE_POOL_MAX=64 GROUPBUY_DATABASE_POOL_MIN=64" \
        start_stack "${bin}" groupbuy_standard "${port}" "${sandbox_port}" 0
    log "scenario ${name} $*"
    "${bin}/gbload" run "loadtest/scenarios/${name}.yaml" --cpu 1 --quiet \
        --json "${reports}/${name}.json" --html "${reports}/${name}.html" "$@" | tee "${reports}/${name}.txt" >&2 \
        || die "scenario ${name} failed its checks (see ${reports}/${name}.txt)"
}

log "1/4 gbload vs wrk against nginx"
peers="$(loadtest/peers/bench-gbload.sh "${STANDARD_ROUNDS:-3}" | tee /dev/stderr)"

log "2/4 flash-sale"
run_scenario flash-sale
# Orders/s while there was stock: the orders over the time from the first to the last one
# (the run goes on answering sold-out after that), as the report has it.
flash_orders="$(json_figure "${reports}/flash-sale.json" 'r["business"]["orders_per_second_first_to_last"]')"
flash_attempts="$(json_figure "${reports}/flash-sale.json" 'r["steps"][0]["throughput"]')"
flash_p99="$(json_figure "${reports}/flash-sale.json" 'r["steps"][0]["latency"]["p99"] / 1000')"
stop_stack

log "3/4 browse at 5,000 req/s (open loop)"
run_scenario browse --rate 5000
browse_rps="$(json_figure "${reports}/browse.json" 'r["overall"]["throughput"]')"
browse_p99="$(json_figure "${reports}/browse.json" 'r["overall"]["latency"]["p99"] / 1000')"
browse_p999="$(json_figure "${reports}/browse.json" 'r["overall"]["latency"]["p99_9"] / 1000')"
stop_stack

log "4/4 group-lifecycle"
# Closed loop, 32 buyers' sessions back to back: completed groups/s is then what the service
# sustains with the payments, not the scenario's arrival rate.
run_scenario group-lifecycle --vus 32
groups_ok="$(json_figure "${reports}/group-lifecycle.json" 'r["business"]["groups_succeeded"]')"
groups_failed="$(json_figure "${reports}/group-lifecycle.json" 'r["business"]["groups_failed"]')"
groups_rate="$(json_figure "${reports}/group-lifecycle.json" 'round(r["business"]["groups_succeeded_per_second"], 1)')"
stop_stack

# Backticks below are Markdown, not command substitution.
# shellcheck disable=SC2016
{
    printf '# Standard benchmark set, %s\n\n' "${day}"
    printf 'Command: `loadtest/standard.sh` (commit %s; %s CPUs; load average at the end: %s).\n\n' \
        "$(git rev-parse --short HEAD)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf '## gbload against wrk (nginx `return 200`)\n\n```\n%s\n```\n\n' "${peers}"
    printf '## Service (groupbuyd release, 1 loop on CPU 0; gbload on CPU 1)\n\n'
    printf '| scenario | figure | value |\n| --- | --- | ---: |\n'
    printf '| flash-sale | orders/s until sold out (first to last order) | %.0f |\n' "${flash_orders}"
    printf '| flash-sale | attempts/s (orders and sold-out answers) | %.0f |\n' "${flash_attempts}"
    printf '| flash-sale | p99 of placing an order | %.2f ms |\n' "${flash_p99}"
    printf '| browse @ 5,000/s open loop | achieved req/s | %.0f |\n' "${browse_rps}"
    printf '| browse @ 5,000/s open loop | p99 / p99.9 (target p99 ≤ 2 ms) | %.2f / %.2f ms |\n' "${browse_p99}" "${browse_p999}"
    printf '| group-lifecycle | succeeded groups/s (%s succeeded, %s failed) | %s |\n' "${groups_ok}" "${groups_failed}" "${groups_rate}"
    printf '\nReports (JSON for `gbload compare`, HTML with the charts): `%s/`.\n' "${reports}"
} >"${results}"
log "wrote ${results}"
cat "${results}"
