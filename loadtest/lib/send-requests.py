#!/usr/bin/env python3
"""Sends exactly COUNT GET requests for PATH to 127.0.0.1:PORT over 16 keep-alive connections,
pipelined in batches of 50, and returns when every answer has arrived (wrk cannot stop at a
request count). Used by the per-request counters in loadtest/alloc/.

    send-requests.py PORT PATH COUNT
"""
import socket, sys, threading
port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
connections = 16
request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
def worker(n):
    s = socket.create_connection(("127.0.0.1", port))
    batch = 50
    done = 0
    pending = b""
    while done < n:
        k = min(batch, n - done)
        s.sendall(request * k)
        got = 0
        while got < k:
            data = s.recv(1 << 16)
            if not data:
                raise SystemExit("server closed the connection")
            pending += data
            got_now = pending.count(b"HTTP/1.1 200 OK")
            if got_now:
                # Responses are small and complete when the next one starts; count heads.
                got += got_now
                pending = pending[pending.rfind(b"HTTP/1.1 200 OK") + 1:]
        done += k
    s.close()
threads = [threading.Thread(target=worker, args=(count // connections + (1 if i < count % connections else 0),)) for i in range(connections)]
for t in threads: t.start()
for t in threads: t.join()
