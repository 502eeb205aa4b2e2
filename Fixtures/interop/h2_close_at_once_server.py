"""An HTTP/2 server built on the python-hyper `h2` protocol stack that advertises WebSockets over HTTP/2
(SETTINGS_ENABLE_CONNECT_PROTOCOL = 1), answers the extended CONNECT with 200 and, in the same TCP write,
a WebSocket close frame (1011 "going down") with END_STREAM and the TLS close_notify, then the TCP end:
the answer, the close and the end reach the client in one read, before it has taken the answer. What a
backend that accepts and closes at once (an overloaded or shutting-down server) does.

TLS runs over memory BIOs so that every byte of the answer, the close and close_notify goes out in one
`sendall`; the asyncio TLS transport writes them as it pleases.

Usage: python h2_close_at_once_server.py PORT CERTFILE KEYFILE
Binds 127.0.0.1:PORT, TLS with ALPN h2 only; one thread per connection; prints
"request CONNECT websocket PATH" for every extended CONNECT it reads.
"""
import socket
import ssl
import sys
import threading
import time

import h2.config
import h2.connection
import h2.events
import h2.settings


def close_frame(code, reason):
    """An unmasked WebSocket close frame (RFC 6455 §5.5.1), as a server sends it."""
    body = code.to_bytes(2, "big") + reason.encode()
    return bytes([0x88, len(body)]) + body


def serve(sock, context):
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_side=True)
    sock.settimeout(10)

    def receive():
        data = sock.recv(65536)
        if not data:
            raise EOFError("the client ended the connection")
        incoming.write(data)

    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            sock.sendall(outgoing.read())
            receive()
    sock.sendall(outgoing.read())

    connection = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
    connection.local_settings = h2.settings.Settings(
        client=False, initial_values={h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL: 1})
    connection.initiate_connection()
    tls.write(connection.data_to_send())
    sock.sendall(outgoing.read())
    while True:
        receive()
        events = []
        while True:
            try:
                chunk = tls.read(65536)
            except ssl.SSLWantReadError:
                break
            if not chunk:
                raise EOFError("close_notify from the client")
            events += connection.receive_data(chunk)
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                headers = dict(event.headers)
                print("request", headers.get(b":method", b"").decode(), headers.get(b":protocol", b"").decode(),
                      headers.get(b":path", b"").decode(), flush=True)
                connection.send_headers(event.stream_id, [(":status", "200")])
                connection.send_data(event.stream_id, close_frame(1011, "going down"), end_stream=True)
                tls.write(connection.data_to_send())
                try:
                    tls.unwrap()  # writes close_notify; the client's comes (or not) later
                except (ssl.SSLWantReadError, ssl.SSLError):
                    pass
                sock.sendall(outgoing.read())  # one write: the 200, the close frame, END_STREAM, close_notify
                sock.shutdown(socket.SHUT_WR)  # then the TCP end
                # A lingering close (RFC 9113 §6.8): read what the client still sends, so that closing with
                # its bytes unread does not reset the connection before it read ours.
                deadline = time.monotonic() + 2
                sock.settimeout(0.5)
                while time.monotonic() < deadline:
                    try:
                        if not sock.recv(65536):
                            break
                    except socket.timeout:
                        continue
                return
        pending = connection.data_to_send()
        if pending:
            tls.write(pending)
            sock.sendall(outgoing.read())


def handle(sock, context):
    try:
        serve(sock, context)
    except Exception as error:  # one connection's failure (the readiness probe's bare TCP) ends only it
        print("connection ended:", error, flush=True)
    finally:
        sock.close()


def main():
    port, certfile, keyfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    context.set_alpn_protocols(["h2"])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    print("listening", port, flush=True)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=handle, args=(sock, context), daemon=True).start()


if __name__ == "__main__":
    main()
