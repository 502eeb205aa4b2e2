"""A plain TCP server that accepts, reads the request, and hangs up without answering.

Usage: python hangup_server.py   (prints `READY <port>` once listening on 127.0.0.1)
"""
import socket

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", 0))
sock.listen(16)
print(f"READY {sock.getsockname()[1]}", flush=True)
while True:
    conn, _ = sock.accept()
    try:
        conn.settimeout(10)  # hangs up as soon as the request arrives; 10 s only guards a client that never sends
        conn.recv(4096)
    except OSError:
        pass
    conn.close()
