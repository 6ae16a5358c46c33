#!/usr/bin/env bash
# Private PostgreSQL and Redis for development and tests. DEV/TEST ONLY: trust authentication,
# durability switched off. Never point this at data you care about.
#
#   scripts/services.sh start    start both (idempotent), then print the env lines below
#   scripts/services.sh stop     stop both (fine when they are not running)
#   scripts/services.sh status   report both; exit 0 when both run, 3 otherwise
#   scripts/services.sh env      print the env lines of what runs now (ports read from the
#                                running services' state, so a new terminal needs no
#                                GROUPBUY_PG_PORT/GROUPBUY_REDIS_PORT), e.g.:
#       export DATABASE_URL=postgresql://groupbuy@127.0.0.1:54329/groupbuy
#       export GROUPBUY_TEST_DATABASE_URL=postgresql://groupbuy@127.0.0.1:54329/groupbuy_test
#       export REDIS_URL=redis://127.0.0.1:63799
#
#   eval "$(scripts/services.sh env)"
#
# groupbuyd uses DATABASE_URL and REDIS_URL over config/groupbuy.yaml (GROUPBUY_DATABASE_URL and
# GROUPBUY_REDIS_URL over those), so moving the ports here moves the server with them.
#
# Settings (environment):
#   GROUPBUY_STATE_DIR      state folder, default <repo>/.local (git-ignored)
#   GROUPBUY_PG_PORT        PostgreSQL port, default 54329 (listens on 127.0.0.1 only)
#   GROUPBUY_REDIS_PORT     Redis port, default 63799 (binds 127.0.0.1 only)
#   GROUPBUY_PG_BIN         folder with pg_ctl/initdb, default /usr/lib/postgresql/<newest>/bin
#   GROUPBUY_PG_DURABLE=1   keep PostgreSQL's default durability (fsync etc.) instead of fast mode
#   GROUPBUY_START_TIMEOUT  seconds to wait for each service to answer, default 60
#
# Layout: <state>/pg/{data,socket,server.log} and <state>/redis/{redis.conf,redis.pid,redis.log}.
# When run as root, PostgreSQL runs as the `postgres` user (it refuses to run as root). If that
# user cannot reach <state> (a repo inside a mode-700 folder, e.g. from mktemp -d), the cluster
# goes to /tmp/groupbuy-state-<hash of the state path>/pg instead; start/status say so.
set -euo pipefail

GROUPBUY_SCRIPT_NAME="services.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PG_PORT="${GROUPBUY_PG_PORT:-54329}"
REDIS_PORT="${GROUPBUY_REDIS_PORT:-63799}"
START_TIMEOUT="${GROUPBUY_START_TIMEOUT:-60}"
PG_USER_ROLE="groupbuy"
PG_DATABASES=(groupbuy groupbuy_test)

[[ "${PG_PORT}" =~ ^[0-9]+$ ]] || die "GROUPBUY_PG_PORT must be a number, got '${PG_PORT}'"
[[ "${REDIS_PORT}" =~ ^[0-9]+$ ]] || die "GROUPBUY_REDIS_PORT must be a number, got '${REDIS_PORT}'"
[[ "${START_TIMEOUT}" =~ ^[0-9]+$ ]] || die "GROUPBUY_START_TIMEOUT must be a number, got '${START_TIMEOUT}'"

# ---------------------------------------------------------------------------------------------
# Paths

STATE_DIR="${GROUPBUY_STATE_DIR:-${GROUPBUY_ROOT}/.local}"
mkdir -p "${STATE_DIR}"
STATE_DIR="$(cd "${STATE_DIR}" && pwd -P)"

REDIS_HOME="${STATE_DIR}/redis"
REDIS_CONF="${REDIS_HOME}/redis.conf"
REDIS_PID="${REDIS_HOME}/redis.pid"
REDIS_LOG="${REDIS_HOME}/redis.log"

IS_ROOT=0
if [[ "${EUID}" -eq 0 ]]; then
    IS_ROOT=1
fi

PG_HOME_RELOCATED=0
PG_HOME="${STATE_DIR}/pg"
if [[ "${IS_ROOT}" -eq 1 ]]; then
    id -u postgres >/dev/null 2>&1 \
        || die "running as root but there is no 'postgres' user (is the postgresql package installed?)"
    if ! runuser -u postgres -- test -x "${STATE_DIR}"; then
        state_hash="$(printf '%s' "${STATE_DIR}" | sha256sum | cut -c1-12)"
        PG_HOME="/tmp/groupbuy-state-${state_hash}/pg"
        PG_HOME_RELOCATED=1
    fi
fi
PG_DATA="${PG_HOME}/data"
PG_SOCKET_DIR="${PG_HOME}/socket"
PG_LOG="${PG_HOME}/server.log"

# ---------------------------------------------------------------------------------------------
# Processes

# 0 when PID is a live process (not a zombie) whose name starts with NAME.
is_live_process() {
    local pid="$1" name="$2" stat state comm
    [[ -n "${pid}" ]] || return 1
    stat="$(cat "/proc/${pid}/stat" 2>/dev/null)" || return 1
    comm="${stat#*(}"
    comm="${comm%%)*}"
    state="${stat##*) }"
    state="${state%% *}"
    [[ "${state}" != "Z" && "${state}" != "X" && "${comm}" == "${name}"* ]]
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

find_pg_bin() {
    if [[ -n "${GROUPBUY_PG_BIN:-}" ]]; then
        [[ -x "${GROUPBUY_PG_BIN}/pg_ctl" ]] || die "GROUPBUY_PG_BIN=${GROUPBUY_PG_BIN} has no pg_ctl"
        printf '%s\n' "${GROUPBUY_PG_BIN}"
        return
    fi
    local best="" major dir
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "${dir}/pg_ctl" && -x "${dir}/initdb" ]] || continue
        major="$(basename "$(dirname "${dir}")")"
        [[ "${major}" =~ ^[0-9]+$ ]] || continue
        if [[ -z "${best}" ]] || (( major > $(basename "$(dirname "${best}")") )); then
            best="${dir}"
        fi
    done
    [[ -n "${best}" ]] || die "no PostgreSQL server found under /usr/lib/postgresql (run ensure_deps)"
    printf '%s\n' "${best}"
}

# Runs a PostgreSQL server-side command as the user that owns the cluster.
as_pg() {
    if [[ "${IS_ROOT}" -eq 1 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_log_tail() {
    if [[ -f "${PG_LOG}" ]]; then
        printf -- '--- last lines of %s ---\n' "${PG_LOG}" >&2
        tail -n 30 "${PG_LOG}" >&2 || true
        printf -- '---\n' >&2
    fi
}

# 0 when the cluster's postmaster runs. pg_ctl status alone is not enough: after a kill -9
# the postmaster can linger as a zombie for a while (until PID 1 reaps it), and kill -0 (what
# pg_ctl and the postmaster's own lock-file check use) succeeds on zombies.
pg_running() {
    [[ -f "${PG_DATA}/PG_VERSION" && -f "${PG_DATA}/postmaster.pid" ]] || return 1
    local pid
    pid="$(head -n1 "${PG_DATA}/postmaster.pid" 2>/dev/null | tr -dc '0-9' || true)"
    is_live_process "${pid}" postgres || return 1
    as_pg "${PG_BIN}/pg_ctl" -D "${PG_DATA}" status >/dev/null 2>&1
}

# A postmaster.pid or socket lock file whose process is gone (or a zombie) is left by a killed
# run: remove it so that the new postmaster does not take the zombie for a running server.
pg_clear_stale_lockfiles() {
    local file pid
    for file in "${PG_DATA}/postmaster.pid" "${PG_SOCKET_DIR}"/.s.PGSQL.*.lock; do
        [[ -f "${file}" ]] || continue
        pid="$(head -n1 "${file}" 2>/dev/null | tr -dc '0-9' || true)"
        if ! is_live_process "${pid}" postgres; then
            log "removing stale ${file} (pid ${pid:-?} is gone)"
            rm -f "${file}"
        fi
    done
}

# Port the running postmaster listens on (line 4 of postmaster.pid).
pg_running_port() {
    sed -n '4p' "${PG_DATA}/postmaster.pid" 2>/dev/null || true
}

pg_prepare_dirs() {
    if [[ "${PG_HOME_RELOCATED}" -eq 1 ]]; then
        local base
        base="$(dirname "${PG_HOME}")"
        mkdir -p "${base}"
        # Refuse a folder someone else planted in /tmp.
        [[ "$(stat -c %u "${base}")" == "0" && ! -L "${base}" ]] \
            || die "${base} exists and is not owned by root; remove it and retry"
        chmod 755 "${base}"
    fi
    mkdir -p "${PG_HOME}" "${PG_SOCKET_DIR}"
    if [[ "${IS_ROOT}" -eq 1 ]]; then
        chown postgres:postgres "${PG_HOME}" "${PG_SOCKET_DIR}"
        if [[ -d "${PG_DATA}" ]]; then
            chown -R postgres:postgres "${PG_DATA}"
        fi
    fi
    chmod 700 "${PG_HOME}"
}

pg_initdb() {
    local installed_major data_major
    installed_major="$(basename "$(dirname "${PG_BIN}")")"
    if [[ -f "${PG_DATA}/PG_VERSION" ]]; then
        data_major="$(cat "${PG_DATA}/PG_VERSION")"
        if [[ "${data_major}" != "${installed_major}" ]]; then
            die "cluster ${PG_DATA} is PostgreSQL ${data_major} but ${installed_major} is installed; remove ${PG_HOME} (dev data only) and retry"
        fi
        return 0
    fi
    # No PG_VERSION: never initialised, or an initdb that was killed half-way. Start clean.
    rm -rf "${PG_DATA}"
    log "initialising PostgreSQL ${installed_major} cluster in ${PG_DATA}"
    local initdb_log="${PG_HOME}/initdb.log"
    if ! as_pg "${PG_BIN}/initdb" -D "${PG_DATA}" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C --no-sync --no-instructions >"${initdb_log}" 2>&1; then
        cat "${initdb_log}" >&2
        die "initdb failed (log above)"
    fi
    # DEV/TEST ONLY: trust authentication for the local socket and 127.0.0.1. Anyone who can
    # connect to the port is any user, superuser included. The server listens on 127.0.0.1 only.
    cat >"${PG_DATA}/pg_hba.conf" <<'EOF'
# Generated by scripts/services.sh. DEV/TEST ONLY: trust authentication, no passwords.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
EOF
    printf "\n# Settings managed by scripts/services.sh (rewritten at every start)\ninclude 'groupbuy.conf'\n" \
        >>"${PG_DATA}/postgresql.conf"
    if [[ "${IS_ROOT}" -eq 1 ]]; then
        chown postgres:postgres "${PG_DATA}/pg_hba.conf" "${PG_DATA}/postgresql.conf"
    fi
}

pg_write_config() {
    local socket_dirs="${PG_SOCKET_DIR}"
    # A unix socket path must fit in sun_path (107 bytes); we connect over TCP anyway.
    if (( ${#PG_SOCKET_DIR} + 20 > 107 )); then
        warn "state path too long for a unix socket; PostgreSQL will listen on TCP only"
        socket_dirs=""
    fi
    {
        printf '# Generated by scripts/services.sh at every start; edits are lost.\n'
        printf "listen_addresses = '127.0.0.1'\n"
        printf 'port = %s\n' "${PG_PORT}"
        printf "unix_socket_directories = '%s'\n" "${socket_dirs}"
        printf 'max_connections = 200\n'
        printf "log_line_prefix = '%%m [%%p] %%q%%u@%%d '\n"
        printf "timezone = 'UTC'\n"
        if [[ "${GROUPBUY_PG_DURABLE:-0}" != "1" ]]; then
            printf '\n'
            printf '# ---- DEV/TEST SPEED ONLY ------------------------------------------------------\n'
            printf '# A crash of this machine can lose or corrupt this cluster. Fine for throwaway\n'
            printf '# development and test data; never use these settings anywhere else.\n'
            printf '# GROUPBUY_PG_DURABLE=1 scripts/services.sh start  keeps the safe defaults.\n'
            printf 'fsync = off\n'
            printf 'full_page_writes = off\n'
            printf '# Kept on: a commit reaches the kernel before it is acknowledged (no fsync, so it\n'
            printf '# costs a write), so a crash of PostgreSQL alone (pg_ctl -m immediate, kill -9, as\n'
            printf '# the restart tests do) loses no acknowledged commit. Off, it lost paid orders.\n'
            printf 'synchronous_commit = on\n'
            printf '# ------------------------------------------------------------------------------\n'
        fi
    } >"${PG_DATA}/groupbuy.conf"
    if [[ "${IS_ROOT}" -eq 1 ]]; then
        chown postgres:postgres "${PG_DATA}/groupbuy.conf"
    fi
}

pg_wait_ready() {
    local deadline=$((SECONDS + START_TIMEOUT))
    while ! "${PG_BIN}/pg_isready" -q -h 127.0.0.1 -p "${PG_PORT}" -U postgres -d postgres -t 1 >/dev/null 2>&1; do
        if (( SECONDS >= deadline )); then
            pg_log_tail
            die "PostgreSQL did not answer on 127.0.0.1:${PG_PORT} within ${START_TIMEOUT}s"
        fi
        sleep 0.2
    done
}

pg_bootstrap() {
    # Role and databases, created once; harmless to repeat.
    local sql
    sql="DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PG_USER_ROLE}') THEN
    CREATE ROLE ${PG_USER_ROLE} LOGIN CREATEDB;
  END IF;
END \$\$;"
    local db
    for db in "${PG_DATABASES[@]}"; do
        sql+="
SELECT 'CREATE DATABASE ${db} OWNER ${PG_USER_ROLE}'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${db}') \\gexec"
    done
    local out
    if ! out="$(printf '%s\n' "${sql}" | "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "${PG_PORT}" -U postgres -d postgres 2>&1)"; then
        printf '%s\n' "${out}" >&2
        die "could not create the ${PG_USER_ROLE} role and databases"
    fi
}

pg_start() {
    pg_prepare_dirs
    pg_initdb
    if pg_running; then
        local running_port
        running_port="$(pg_running_port)"
        if [[ "${running_port}" == "${PG_PORT}" ]]; then
            log "PostgreSQL already running on 127.0.0.1:${PG_PORT} (${PG_DATA})"
            pg_wait_ready
            pg_bootstrap
            return 0
        fi
        log "PostgreSQL runs on port ${running_port}, wanted ${PG_PORT}: restarting it"
        pg_stop
    fi
    pg_clear_stale_lockfiles
    pg_write_config
    log "starting PostgreSQL on 127.0.0.1:${PG_PORT} (${PG_DATA})"
    if ! as_pg "${PG_BIN}/pg_ctl" -D "${PG_DATA}" -l "${PG_LOG}" -w -t "${START_TIMEOUT}" -s start \
        >/dev/null 2>&1 9>&-; then
        pg_log_tail
        die "PostgreSQL failed to start (port ${PG_PORT} taken? see the log above)"
    fi
    pg_wait_ready
    pg_bootstrap
}

pg_stop() {
    if ! pg_running; then
        log "PostgreSQL not running"
        return 0
    fi
    log "stopping PostgreSQL (${PG_DATA})"
    if ! as_pg "${PG_BIN}/pg_ctl" -D "${PG_DATA}" -m fast -w -t 60 -s stop >/dev/null 2>&1; then
        pg_log_tail
        warn "pg_ctl stop failed"
        return 1
    fi
}

pg_status() {
    if pg_running; then
        printf 'postgresql: running on 127.0.0.1:%s (pid %s, data %s)\n' \
            "$(pg_running_port)" "$(head -n1 "${PG_DATA}/postmaster.pid" 2>/dev/null || echo '?')" "${PG_DATA}"
        return 0
    fi
    printf 'postgresql: not running (data %s)\n' "${PG_DATA}"
    return 1
}

# ---------------------------------------------------------------------------------------------
# Redis

redis_cli() {
    redis-cli -h 127.0.0.1 -p "${REDIS_PORT}" "$@"
}

# Pid from our pid file when that process is alive and is a redis-server, else nothing.
# A pid file left by a killed run is removed.
redis_live_pid() {
    [[ -f "${REDIS_PID}" ]] || return 0
    local pid
    pid="$(tr -dc '0-9' <"${REDIS_PID}")"
    if is_live_process "${pid}" redis-server; then
        printf '%s\n' "${pid}"
        return 0
    fi
    rm -f "${REDIS_PID}"
}

# 0 when a redis answers on our port; 2 when it answers but is not ours (other pid file).
redis_answering() {
    local pong pidfile
    pong="$(redis_cli ping 2>/dev/null || true)"
    [[ "${pong}" == "PONG" ]] || return 1
    pidfile="$(redis_cli config get pidfile 2>/dev/null | sed -n '2p' || true)"
    if [[ "${pidfile}" == "${REDIS_PID}" ]]; then
        return 0
    fi
    return 2
}

redis_log_tail() {
    if [[ -f "${REDIS_LOG}" ]]; then
        printf -- '--- last lines of %s ---\n' "${REDIS_LOG}" >&2
        tail -n 30 "${REDIS_LOG}" >&2 || true
        printf -- '---\n' >&2
    fi
}

redis_start() {
    command -v redis-server >/dev/null 2>&1 || die "redis-server not found (run ensure_deps)"
    mkdir -p "${REDIS_HOME}"
    local rc=0
    redis_answering || rc=$?
    if [[ "${rc}" -eq 0 ]]; then
        log "Redis already running on 127.0.0.1:${REDIS_PORT}"
        return 0
    elif [[ "${rc}" -eq 2 ]]; then
        die "another redis-server (not ours) answers on 127.0.0.1:${REDIS_PORT}; set GROUPBUY_REDIS_PORT"
    fi
    # Not answering. A process of ours may still be alive but stuck: stop it first.
    local pid
    pid="$(redis_live_pid)"
    if [[ -n "${pid}" ]]; then
        warn "redis-server pid ${pid} is alive but does not answer; killing it"
        kill -KILL "${pid}" 2>/dev/null || true
        rm -f "${REDIS_PID}"
    fi
    cat >"${REDIS_CONF}" <<EOF
# Generated by scripts/services.sh at every start; edits are lost. DEV/TEST ONLY.
port ${REDIS_PORT}
bind 127.0.0.1
protected-mode yes
daemonize yes
pidfile "${REDIS_PID}"
logfile "${REDIS_LOG}"
dir "${REDIS_HOME}"
# No persistence: the cache and rate limits are throwaway.
save ""
appendonly no
EOF
    log "starting Redis on 127.0.0.1:${REDIS_PORT} (${REDIS_HOME})"
    if ! redis-server "${REDIS_CONF}" >/dev/null 2>&1 9>&-; then
        redis_log_tail
        die "redis-server failed to start"
    fi
    local deadline=$((SECONDS + START_TIMEOUT))
    while true; do
        rc=0
        redis_answering || rc=$?
        [[ "${rc}" -eq 0 ]] && break
        if (( SECONDS >= deadline )); then
            redis_log_tail
            die "Redis did not answer PONG on 127.0.0.1:${REDIS_PORT} within ${START_TIMEOUT}s"
        fi
        sleep 0.1
    done
}

redis_stop() {
    local rc=0 pid
    redis_answering || rc=$?
    pid="$(redis_live_pid)"
    if [[ "${rc}" -ne 0 && -z "${pid}" ]]; then
        log "Redis not running"
        return 0
    fi
    log "stopping Redis (127.0.0.1:${REDIS_PORT})"
    if [[ "${rc}" -eq 0 ]]; then
        redis_cli shutdown nosave >/dev/null 2>&1 || true
    elif [[ -n "${pid}" ]]; then
        kill -TERM "${pid}" 2>/dev/null || true
    fi
    if [[ -n "${pid}" ]]; then
        local deadline=$((SECONDS + 10))
        while kill -0 "${pid}" 2>/dev/null; do
            if (( SECONDS >= deadline )); then
                warn "redis-server pid ${pid} did not exit; killing it"
                kill -KILL "${pid}" 2>/dev/null || true
                break
            fi
            sleep 0.1
        done
    fi
    rm -f "${REDIS_PID}"
}

redis_status() {
    local rc=0 pid
    redis_answering || rc=$?
    pid="$(redis_live_pid)"
    case "${rc}" in
        0) printf 'redis: running on 127.0.0.1:%s (pid %s, %s)\n' "${REDIS_PORT}" "${pid:-?}" "${REDIS_HOME}"
           return 0 ;;
        2) printf 'redis: port %s answers but it is not ours (%s)\n' "${REDIS_PORT}" "${REDIS_HOME}" ;;
        *) printf 'redis: not running (%s)\n' "${REDIS_HOME}" ;;
    esac
    return 1
}

# ---------------------------------------------------------------------------------------------

# The port the PostgreSQL of this state folder listens on now (postmaster.pid), or nothing.
pg_live_port() {
    local pid
    pid="$(head -n1 "${PG_DATA}/postmaster.pid" 2>/dev/null | tr -dc '0-9' || true)"
    if is_live_process "${pid}" postgres; then
        pg_running_port
    fi
}

# The port the Redis of this state folder runs on now (from the redis.conf it was started
# with, while its pid is alive), or nothing.
redis_live_port() {
    if [[ -n "$(redis_live_pid)" ]]; then
        sed -n 's/^port //p' "${REDIS_CONF}" 2>/dev/null || true
    fi
}

# The env lines for the services that run now from this state folder: their real ports, read
# from their state, so that a new terminal gets what is running whatever GROUPBUY_PG_PORT and
# GROUPBUY_REDIS_PORT say there. A service that is not running gets its configured port, and
# a warning on stderr.
print_env() {
    local pg_port redis_port
    pg_port="$(pg_live_port)"
    redis_port="$(redis_live_port)"
    if [[ -z "${pg_port}" ]]; then
        warn "PostgreSQL of ${STATE_DIR} is not running; printing its configured port ${PG_PORT} (start it: scripts/services.sh start)"
        pg_port="${PG_PORT}"
    elif [[ -n "${GROUPBUY_PG_PORT:-}" && "${GROUPBUY_PG_PORT}" != "${pg_port}" ]]; then
        warn "GROUPBUY_PG_PORT is ${GROUPBUY_PG_PORT}, but the PostgreSQL of ${STATE_DIR} runs on ${pg_port}: printing ${pg_port}"
    fi
    if [[ -z "${redis_port}" ]]; then
        warn "Redis of ${STATE_DIR} is not running; printing its configured port ${REDIS_PORT} (start it: scripts/services.sh start)"
        redis_port="${REDIS_PORT}"
    elif [[ -n "${GROUPBUY_REDIS_PORT:-}" && "${GROUPBUY_REDIS_PORT}" != "${redis_port}" ]]; then
        warn "GROUPBUY_REDIS_PORT is ${GROUPBUY_REDIS_PORT}, but the Redis of ${STATE_DIR} runs on ${redis_port}: printing ${redis_port}"
    fi
    printf 'export DATABASE_URL=postgresql://%s@127.0.0.1:%s/groupbuy\n' "${PG_USER_ROLE}" "${pg_port}"
    printf 'export GROUPBUY_TEST_DATABASE_URL=postgresql://%s@127.0.0.1:%s/groupbuy_test\n' "${PG_USER_ROLE}" "${pg_port}"
    printf 'export REDIS_URL=redis://127.0.0.1:%s\n' "${redis_port}"
}

# Serialises start/stop across concurrent invocations (e.g. run.sh and test.sh at once).
# The daemons are started with fd 9 closed so that they do not inherit (and keep) the lock.
take_lock() {
    exec 9>"${STATE_DIR}/services.lock"
    if ! flock -w 120 9; then
        die "another scripts/services.sh holds ${STATE_DIR}/services.lock"
    fi
}

note_relocation() {
    if [[ "${PG_HOME_RELOCATED}" -eq 1 ]]; then
        log "the postgres user cannot reach ${STATE_DIR}; PostgreSQL cluster lives in ${PG_HOME} instead"
    fi
}

usage() {
    printf 'usage: %s start|stop|status|env\n' "${0##*/}" >&2
    exit 2
}

main() {
    [[ $# -eq 1 ]] || usage
    case "$1" in
        start)
            PG_BIN="$(find_pg_bin)"
            take_lock
            note_relocation
            pg_start
            redis_start
            print_env
            ;;
        stop)
            PG_BIN="$(find_pg_bin)"
            take_lock
            local failed=0
            pg_stop || failed=1
            redis_stop || failed=1
            return "${failed}"
            ;;
        status)
            PG_BIN="$(find_pg_bin)"
            note_relocation
            local down=0
            pg_status || down=1
            redis_status || down=1
            if [[ "${down}" -ne 0 ]]; then
                return 3
            fi
            ;;
        env)
            print_env
            ;;
        *)
            usage
            ;;
    esac
}

main "$@"
