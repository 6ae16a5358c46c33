# shellcheck shell=bash
# Shared by the benchmark scripts: one wrk run and medians. Source after scripts/lib/common.sh;
# uses CONNECTIONS and DURATION.

# Prints "<req/s> <p99 in ms> <requests>" for one `wrk -t1` run pinned to CPU 1; dies on errors.
run_wrk() {
    local url="$1" out rps p99 requests
    out="$(taskset -c 1 wrk -t1 -c"${CONNECTIONS}" -d"${DURATION}" --latency "${url}")"
    if grep -q -e "Non-2xx" -e "Socket errors" <<<"${out}"; then
        printf '%s\n' "${out}" >&2
        die "errors while benchmarking ${url}"
    fi
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"${out}")"
    p99="$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"${out}")"
    requests="$(awk '/requests in/ {print $1}' <<<"${out}")"
    printf '%s %s %s\n' "${rps}" "${p99}" "${requests}"
}

# CPU time used so far by a process and its children (nginx's master and workers), in clock
# ticks: utime + stime from /proc/<pid>/stat. The server, not the machine, is what is measured,
# so the figure holds on a shared machine where req/s alone would not.
cpu_ticks() {
    local pid="$1" total=0 child ticks children
    ticks="$(awk '{print $14 + $15}' "/proc/${pid}/stat" 2>/dev/null)" || ticks=0
    total=$(( total + ticks ))
    # The children files hold space-separated pids without a final newline.
    read -r -a children < <(cat /proc/"${pid}"/task/*/children 2>/dev/null; echo)
    for child in "${children[@]}"; do total=$(( total + $(cpu_ticks "${child}") )); done
    printf '%s\n' "${total}"
}

# The median of the numbers on stdin (space or newline separated).
median() {
    tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

# What any groupbuyd needs to start: the private PostgreSQL and Redis (left running), the
# schema, and a throwaway JWT key. Exports DATABASE_URL, REDIS_URL, GROUPBUY_DATABASE_URL and
# GROUPBUY_AUTH_JWT_KEYS. $1 is the groupbuyd binary.
prepare_groupbuyd() {
    local binary="$1" service_env
    service_env="$(scripts/services.sh start)" || die "could not start PostgreSQL and Redis"
    eval "${service_env}"
    export DATABASE_URL REDIS_URL GROUPBUY_DATABASE_URL="${DATABASE_URL}"
    GROUPBUY_AUTH_JWT_KEYS="bench:$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    export GROUPBUY_AUTH_JWT_KEYS
    "${binary}" --config config/groupbuy.yaml --migrate >&2
}

# The groupbuyd binary to measure: $BENCH_GROUPBUYD when set (e.g. a build of an older commit),
# otherwise this checkout's release build, built first.
groupbuyd_binary() {
    if [[ -n "${BENCH_GROUPBUYD:-}" ]]; then
        printf '%s\n' "${BENCH_GROUPBUYD}"
        return
    fi
    swift build -c release --product groupbuyd >&2
    printf '%s/groupbuyd\n' "$(swift build -c release --show-bin-path)"
}
