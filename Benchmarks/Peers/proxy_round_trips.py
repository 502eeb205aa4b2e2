#!/usr/bin/env python3
"""A fixed number of WebSocket echo round trips through a proxy, for instruction counts.

Runs a minimal WebSocket echo upstream on 127.0.0.1 (it answers the upgrade with 101 and echoes
each frame unmasked, as a server does) and a client that sends MESSAGES binary frames of BYTES
bytes through the proxy, one at a time (each waits for its echo), over CONNECTIONS connections in
turn. One message in flight at a time makes every round trip the same work for the proxy (one
read and one write per direction), so the proxy's instruction count per round trip is repeatable
under `valgrind --tool=callgrind` whatever the machine's load.

Usage: proxy_round_trips.py serve PORTFILE                 (the upstream; writes its port to PORTFILE)
       proxy_round_trips.py drive PROXYPORT MESSAGES [BYTES] [CONNECTIONS]

Only loopback; every wait bounded (10 s per socket operation).
"""
import base64
import hashlib
import os
import socket
import struct
import sys
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TIMEOUT = 10.0


def read_exact(sock, n):
    out = bytearray()
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError("peer closed mid-frame")
        out += chunk
    return bytes(out)


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("peer closed before the end of the head")
        data += chunk
        if len(data) > 16384:
            raise ValueError("head over 16 KiB")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


class Reader:
    def __init__(self, sock, rest=b""):
        self.sock, self.buf = sock, bytearray(rest)

    def take(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("peer closed mid-frame")
            self.buf += chunk
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def frame(self):
        b0, b1 = self.take(2)
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack("!H", self.take(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self.take(8))[0]
        key = self.take(4) if b1 & 0x80 else None
        payload = self.take(length)
        if key:
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        return b0 & 0x0F, payload


def encode(opcode, payload, mask):
    n = len(payload)
    head = bytes([0x80 | opcode])
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def serve_one(conn):
    with conn:
        conn.settimeout(None)
        head, rest = read_head(conn)
        key = next(line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("sec-websocket-key:"))
        accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        conn.sendall(f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode())
        reader = Reader(conn, rest)
        while True:
            try:
                opcode, payload = reader.frame()
            except ConnectionError:
                return
            if opcode == 8:
                conn.sendall(encode(8, payload[:2], mask=False))
                return
            conn.sendall(encode(opcode, payload, mask=False))


def serve(port_file):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    with open(port_file, "w") as f:
        f.write(str(listener.getsockname()[1]))
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve_one, args=(conn,), daemon=True).start()


def drive(port, messages, size, connections):
    payload = bytes((i * 31) & 0xFF for i in range(size))
    per = [messages // connections + (1 if i < messages % connections else 0) for i in range(connections)]
    for count in per:
        sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        head, rest = read_head(sock)
        if " 101 " not in head.split("\r\n")[0] + " ":
            raise SystemExit(f"no 101 from the proxy: {head.splitlines()[0]!r}")
        reader = Reader(sock, rest)
        frame = encode(2, payload, mask=True)  # one masked frame reused: the proxy's work is the same
        for _ in range(count):
            sock.sendall(frame)
            opcode, echoed = reader.frame()
            if opcode != 2 or echoed != payload:
                raise SystemExit("echo differs from what was sent")
        sock.sendall(encode(8, struct.pack("!H", 1000), mask=True))
        reader.frame()
        sock.close()
    print(f"{messages} round trips of {size} bytes over {connections} connection(s)")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "drive":
        drive(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 1024, int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    else:
        sys.exit(__doc__)
