#!/usr/bin/env python3
"""HTTP clients for live/monitor_http: one abuse of `uping --monitor`'s server per call.

Usage: http_abuse.py MODE PORT [ARGS...]; prints one JSON object on stdout. Every socket operation
is bounded by a timeout, so a server that hangs makes a call slow, never endless. Connects to
127.0.0.1 only.
"""

import json
import resource
import select
import socket
import sys
import time

HOST = "127.0.0.1"


def connect(port, timeout=5.0, rcvbuf=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect((HOST, port))
    return sock


def read_response(sock, head=False):
    """One response: (status, headers, body); status 0 when the server closed or timed out first."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionError):
            return 0, {}, data
        if not chunk:
            return 0, {}, data
        data += chunk
    header, _, rest = data.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else -1
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head else int(headers.get("content-length", "0"))
    while len(rest) < length:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionError):
            break
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[:length]


def closed_by_server(sock, within):
    """Whether the server closes (EOF or reset) within `within` seconds; what it sends is dropped."""
    deadline = time.monotonic() + within
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionError:
            return True
        if not chunk:
            return True


def get(port, path, extra_headers=(), head=False, timeout=5.0):
    started = time.monotonic()
    try:
        sock = connect(port, timeout)
    except OSError as error:
        return {"status": 0, "error": str(error), "ms": round((time.monotonic() - started) * 1000)}
    request = f"{'HEAD' if head else 'GET'} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
    for header in extra_headers:
        request += header + "\r\n"
    sock.sendall((request + "\r\n").encode())
    status, headers, body = read_response(sock, head)
    sock.close()
    return {"status": status, "headers": headers, "body": body.decode("utf-8", "replace"),
            "ms": round((time.monotonic() - started) * 1000)}


def raw(port, kind):
    requests = {
        "malformed": b"GARBAGE\r\n\r\n",
        "headers": b"GET /metrics HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(10000)) + b"\r\n",
        "url": b"GET /" + b"a" * (1 << 20) + b" HTTP/1.1\r\n\r\n",
        "post": b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        "body": b"GET /metrics HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789",
    }
    started = time.monotonic()
    sock = connect(port)
    try:
        sock.sendall(requests[kind])
    except ConnectionError as error:  # the answer may still be there to read
        sent_error = str(error)
    else:
        sent_error = None
    status, headers, _ = read_response(sock)
    ms = round((time.monotonic() - started) * 1000)
    closed = closed_by_server(sock, 2.0)
    sock.close()
    return {"status": status, "headers": headers, "ms": ms, "closed": closed, "send_error": sent_error}


def trickle(port, delay):
    """A request a byte at a time, `delay` seconds apart, until the server answers or closes."""
    request = b"GET /metrics HTTP/1.1\r\nHost: " + b"h" * 200 + b"\r\n\r\n"
    sock = connect(port, 30.0)
    started = time.monotonic()
    sent = 0
    for byte in request:
        try:
            sock.sendall(bytes([byte]))
        except ConnectionError:
            break
        sent += 1
        readable, _, _ = select.select([sock], [], [], delay)
        if readable:
            break
    status, headers, _ = read_response(sock)
    ms = round((time.monotonic() - started) * 1000)
    sock.close()
    return {"status": status, "headers": headers, "ms": ms, "sent": sent, "length": len(request)}


def flood(port, count, hold):
    """`count` idle connections; which are closed at once (the cap), whether one more request is
    answered while they are held, which are closed by the idle timeout within `hold` seconds, then
    /metrics once they are gone."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, soft), max(want, hard)))
    socks = []
    refused = 0
    for _ in range(count):
        try:
            socks.append(connect(port, 5.0))
        except OSError:
            refused += 1
    started = time.monotonic()
    time.sleep(1.0)
    closed_at_once = []
    for sock in socks:
        sock.setblocking(False)
        try:
            chunk = sock.recv(1)
            closed_at_once.append(chunk == b"")
        except BlockingIOError:
            closed_at_once.append(False)
        except ConnectionError:
            closed_at_once.append(True)
    open_socks = [s for s, closed in zip(socks, closed_at_once) if not closed]
    extra = get(port, "/metrics", timeout=2.0)
    # The held ones: closed by the server's idle timeout within `hold` seconds of their start.
    closed_by_idle = 0
    deadline = started + hold
    pending = list(open_socks)
    while pending and time.monotonic() < deadline:
        readable, _, _ = select.select(pending, [], [], max(0.0, deadline - time.monotonic()))
        for sock in readable:
            try:
                chunk = sock.recv(1)
            except ConnectionError:
                chunk = b""
            except BlockingIOError:
                continue
            if chunk == b"":
                closed_by_idle += 1
                pending.remove(sock)
    idle_ms = round((time.monotonic() - started) * 1000)
    for sock in socks:
        sock.close()
    after = get(port, "/metrics", timeout=5.0)
    return {"opened": len(socks), "refused": refused, "closed_at_once": sum(closed_at_once),
            "held": len(open_socks), "extra_status": extra["status"], "closed_by_idle": closed_by_idle,
            "idle_ms": idle_ms, "metrics_status": after["status"], "metrics_ms": after["ms"]}


def noread(port, path, hold):
    """Asks for `path` and never reads, with a small receive buffer: the server's write deadline
    must close the connection, and others must be served meanwhile."""
    sock = connect(port, 5.0, rcvbuf=4096)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    time.sleep(0.5)
    other = get(port, "/-/healthy", timeout=3.0)
    time.sleep(max(0.0, hold - 0.5))
    # Drained now: a connection the server closed ends (EOF or reset) at once; one it still writes
    # to would deliver the whole answer and then wait for the next request.
    received = 0
    closed = False
    deadline = time.monotonic() + 3.0
    sock.settimeout(0.5)
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(1 << 16)
        except socket.timeout:
            break
        except ConnectionError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        received += len(chunk)
    sock.close()
    return {"other_status": other["status"], "other_ms": other["ms"], "closed": closed, "received": received}


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    args = sys.argv[3:]
    if mode == "get":
        head = "--head" in args
        rest = [a for a in args if a != "--head"]
        result = get(port, rest[0], rest[1:], head=head, timeout=float(30))
    elif mode == "raw":
        result = raw(port, args[0])
    elif mode == "trickle":
        result = trickle(port, float(args[0]))
    elif mode == "flood":
        result = flood(port, int(args[0]), float(args[1]))
    elif mode == "noread":
        result = noread(port, args[0], float(args[1]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
