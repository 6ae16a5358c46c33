#!/usr/bin/env bash
# Is gbload the bottleneck? gbload against wrk, both loading nginx's `return 200`, in the same run.
#
#   loadtest/peers/bench-gbload.sh [ROUNDS]      default 3 rounds
#
# nginx (loadtest/peers/nginx.conf, one worker) is pinned to CPU 0. Each round runs, alternating,
# `wrk -t1 -c64 -d10s` and `gbload url --loops 1 --connections 64 --duration 10s` (release
# build), each pinned to CPU 1, against /plaintext. Prints every run, the medians and the ratio
# gbload/wrk (the target is ≥ 1.0). Then one open-loop run, `gbload url --rate 5000`, with its
# achieved rate and p99. Settings (environment): BENCH_DURATION (10s), BENCH_CONNECTIONS (64),
# BENCH_RATE (5000), BENCH_NGINX_PORT (18090; another port runs a private copy of the config).
set -euo pipefail

GROUPBUY_SCRIPT_NAME="bench-gbload.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/bench.sh"
cd "${GROUPBUY_ROOT}"

ROUNDS="${1:-3}"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
RATE="${BENCH_RATE:-5000}"
NGINX_PORT="${BENCH_NGINX_PORT:-18090}"

ensure_deps
command -v nginx >/dev/null || die "nginx not found"
command -v wrk >/dev/null || die "wrk not found"

swift build -c release --product gbload >&2
GBLOAD="$(swift build -c release --show-bin-path)/gbload"

# A private copy of the config: its own temp folder (and port, when asked).
nginx_dir="$(mktemp -d /tmp/groupbuy-bench-gbload.XXXXXX)"
sed -e "s#/tmp/groupbuy-bench-nginx#${nginx_dir}#g" -e "s/127.0.0.1:18090/127.0.0.1:${NGINX_PORT}/" \
    loadtest/peers/nginx.conf >"${nginx_dir}/nginx.conf"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "${nginx_dir}"
}
trap cleanup EXIT

taskset -c 0 nginx -c "${nginx_dir}/nginx.conf" &
pids+=($!)
URL="http://127.0.0.1:${NGINX_PORT}/plaintext"
for _ in $(seq 1 100); do
    curl -sf "${URL}" >/dev/null && break
    sleep 0.1
done
curl -sf "${URL}" >/dev/null || die "nginx does not answer on port ${NGINX_PORT}"

# Prints "<req/s> <p99 in ms>" for one gbload run pinned to CPU 1 (from its JSON report); dies on errors.
run_gbload() {
    local report out figures errors rps p99
    report="$(mktemp /tmp/gbload-bench.XXXXXX.json)"
    out="$(taskset -c 1 "${GBLOAD}" url "$@" --json "${report}" 2>&1)"
    figures="$(python3 -c 'import json, sys; o = json.load(open(sys.argv[1]))["overall"]; print(o["errors"], round(o["throughput"], 1), o["latency"]["p99"] / 1000)' "${report}")"
    rm -f "${report}"
    read -r errors rps p99 <<<"${figures}"
    if [[ "${errors}" != "0" ]]; then
        printf '%s\n' "${out}" >&2
        die "errors while running gbload $*"
    fi
    printf '%s %s\n' "${rps}" "${p99}"
}

wrk_rps=""
gbload_rps=""
for round in $(seq 1 "${ROUNDS}"); do
    read -r rps p99 _ < <(run_wrk "${URL}")
    printf 'round %s %-7s %10s req/s  p99 %s ms\n' "${round}" wrk "${rps}" "${p99}"
    wrk_rps+="${rps} "
    read -r rps p99 < <(run_gbload "${URL}" --loops 1 --connections "${CONNECTIONS}" --duration "${DURATION}")
    printf 'round %s %-7s %10s req/s  p99 %s ms\n' "${round}" gbload "${rps}" "${p99}"
    gbload_rps+="${rps} "
done

wrk_median="$(median <<<"${wrk_rps}")"
gbload_median="$(median <<<"${gbload_rps}")"
printf '\nmedians over %s rounds (-c%s, %s, nginx on cpu 0, load tool on cpu 1)\n' "${ROUNDS}" "${CONNECTIONS}" "${DURATION}"
printf '%-8s %12s\n' wrk "${wrk_median}" gbload "${gbload_median}"
awk -v g="${gbload_median}" -v w="${wrk_median}" 'BEGIN {printf "ratio gbload/wrk %.2fx (target >= 1.00x)\n", g/w}'

read -r rps p99 < <(run_gbload "${URL}" --loops 1 --rate "${RATE}" --warmup 2s --duration "${DURATION}")
printf '\nopen loop: gbload url --rate %s: %s req/s achieved, p99 %s ms\n' "${RATE}" "${rps}" "${p99}"
