#!/usr/bin/env bash
# RSS growth of groupbuyd per idle keep-alive connection.
#
#   loadtest/peers/idle-connections.sh [CONNECTIONS]     default 10000
#
# Starts the release server with one loop, reads its RSS, opens CONNECTIONS connections that
# each complete one request (so each is an idle keep-alive connection, past its first
# request), reads the RSS again while they are all open, and prints the growth per
# connection. Kernel socket buffers are not in RSS: this is what the server itself holds.
set -euo pipefail

GROUPBUY_SCRIPT_NAME="idle-connections.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=loadtest/lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/bench.sh"
cd "${GROUPBUY_ROOT}"

CONNECTIONS="${1:-10000}"
PORT=18093
ensure_deps
swift build -c release --product groupbuyd >&2
GROUPBUYD="$(swift build -c release --show-bin-path)/groupbuyd"
prepare_groupbuyd "${GROUPBUYD}"
ulimit -n "$(ulimit -Hn)"

GROUPBUY_LOOPS_COUNT=1 GROUPBUY_SERVER_PORT="${PORT}" GROUPBUY_SERVER_HOST=127.0.0.1 \
    GROUPBUY_LOG_ACCESS=false GROUPBUY_LOG_LEVEL=warning GROUPBUY_SERVER_IDLE_TIMEOUT_MS=600000 \
    "${GROUPBUYD}" --config config/groupbuy.yaml >/dev/null &
pid=$!
trap 'kill -TERM "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:${PORT}/healthz" >/dev/null && break
    sleep 0.1
done

python3 - "${PORT}" "${CONNECTIONS}" "${pid}" <<'PY'
import socket, sys, time
port, count, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

def one_request(s):
    s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: bench\r\n\r\n")
    data = b""
    while not data.endswith(b"Hello, World!"):
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("server closed a connection")
        data += chunk

# Warm up: a few hundred connections opened and closed, so one-time growth is not counted.
for _ in range(200):
    s = socket.create_connection(("127.0.0.1", port))
    one_request(s)
    s.close()
time.sleep(0.5)
before = rss_kib()
sockets = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    one_request(s)
    sockets.append(s)
time.sleep(0.5)
after = rss_kib()
print(f"connections {count}: RSS {before} KiB -> {after} KiB, growth {after - before} KiB, "
      f"{(after - before) * 1024 / count:.0f} bytes per idle keep-alive connection")
PY
