# shellcheck shell=bash
# Runs the whole service for gbload: psp-sandbox and groupbuyd (workers on, short sweeper
# periods) against a database of its own, and exports what gbload reads (GBLOAD_URL,
# GBLOAD_TOKEN, PSP_URL, PSP_KEY, DATABASE_URL). Source after scripts/lib/common.sh; needs
# the private PostgreSQL and Redis running (scripts/services.sh start) and DATABASE_URL /
# REDIS_URL from it.
#
#   start_stack BIN_DIR DATABASE_NAME SERVICE_PORT SANDBOX_PORT [CPU]
#   stop_stack
#
# Logs: STACK_LOG (groupbuyd) and STACK_SANDBOX_LOG (psp-sandbox), default /dev/null.
# BIN_DIR holds groupbuyd, gbctl and psp-sandbox (debug or release). The database is dropped
# and made again, so every run starts empty. With CPU, groupbuyd runs pinned to it with one loop.

stack_pids=()

start_stack() {
    local bin="$1" database="$2" port="$3" sandbox_port="$4" cpu="${5:-}" base_url pin=()
    base_url="${DATABASE_URL%/*}"
    psql -X -q -v ON_ERROR_STOP=1 "${DATABASE_URL}" -c "DROP DATABASE IF EXISTS ${database} WITH (FORCE)" \
        -c "CREATE DATABASE ${database}" >/dev/null || die "could not make database ${database}"
    local url="${base_url}/${database}"
    local keys psp_key psp_secret
    keys="load:$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    psp_key="sk_test_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    psp_secret="whsec_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

    # The key and the secret through the environment: not on a command line `ps` shows.
    PSP_SANDBOX_API_KEY="${psp_key}" PSP_SANDBOX_WEBHOOK_SECRET="${psp_secret}" "${bin}/psp-sandbox" --host 127.0.0.1 \
        --port "${sandbox_port}" --webhook-url "http://127.0.0.1:${port}/v1/webhooks/psp" >"${STACK_SANDBOX_LOG:-/dev/null}" 2>&1 &
    stack_pids+=($!)

    local settings=(
        GROUPBUY_DATABASE_URL="${url}" GROUPBUY_REDIS_URL="${REDIS_URL}" GROUPBUY_AUTH_JWT_KEYS="${keys}"
        GROUPBUY_DATABASE_MIGRATE_ON_START=true GROUPBUY_SERVER_HOST=127.0.0.1 GROUPBUY_SERVER_PORT="${port}"
        GROUPBUY_LOG_ACCESS=false GROUPBUY_LOG_LEVEL=warning
        # Short sweeper periods: the scenarios' settling waits for them.
        GROUPBUY_WORKERS_ENABLED=true GROUPBUY_WORKERS_EXPIRE_ORDERS_PERIOD_MS=500 GROUPBUY_WORKERS_FAIL_GROUPS_PERIOD_MS=500
        GROUPBUY_WORKERS_CONFIRM_GROUPS_PERIOD_MS=1000 GROUPBUY_PAYMENTS_OUTBOX_PERIOD_MS=200
        GROUPBUY_PAYMENTS_INTENT_RECOVERY_PERIOD_MS=1000 GROUPBUY_PAYMENTS_INTENT_RECOVERY_GRACE_SECONDS=10
        GROUPBUY_PAYMENTS_PROVIDER_ADDRESS="127.0.0.1:${sandbox_port}" GROUPBUY_PAYMENTS_API_KEY="${psp_key}"
        GROUPBUY_PAYMENTS_WEBHOOK_SECRETS="${psp_secret}"
    )
    if [[ -n "${cpu}" ]]; then
        pin=(taskset -c "${cpu}")
        settings+=(GROUPBUY_LOOPS_COUNT=1)
    fi
    # STACK_ENV: more settings, e.g. STACK_ENV="GROUPBUY_DATABASE_POOL_MAX=64".
    # shellcheck disable=SC2206
    settings+=(${STACK_ENV:-})
    env "${settings[@]}" "${pin[@]}" "${bin}/groupbuyd" --config config/groupbuy.yaml >"${STACK_LOG:-/dev/null}" 2>&1 &
    stack_pids+=($!)

    local ready=""
    for _ in $(seq 1 300); do
        if curl -sf "http://127.0.0.1:${port}/healthz" >/dev/null && curl -sf -o /dev/null -H "Authorization: Bearer ${psp_key}" \
            "http://127.0.0.1:${sandbox_port}/v1/payment_intents?limit=1"; then
            ready=1
            break
        fi
        sleep 0.2
    done
    [[ -n "${ready}" ]] || die "groupbuyd (port ${port}) or psp-sandbox (port ${sandbox_port}) did not start"

    GBLOAD_URL="http://127.0.0.1:${port}"
    GBLOAD_TOKEN="$(GROUPBUY_AUTH_JWT_KEYS="${keys}" "${bin}/gbctl" token issue --user gbload --role admin --ttl 12h)"
    PSP_URL="http://127.0.0.1:${sandbox_port}"
    PSP_KEY="${psp_key}"
    GBLOAD_DATABASE_URL="${url}"
    export GBLOAD_URL GBLOAD_TOKEN PSP_URL PSP_KEY GBLOAD_DATABASE_URL
}

stop_stack() {
    local pid
    for pid in "${stack_pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; done
    for pid in "${stack_pids[@]}"; do wait "${pid}" 2>/dev/null || true; done
    stack_pids=()
}
