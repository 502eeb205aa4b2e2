"""An HTTP/2 server built on the python-hyper `h2` protocol stack that advertises WebSockets over
HTTP/2 (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1) and then cannot serve them: what a proxy or middlebox
that advertises the setting without bridging the stream does.

Usage: python h2_refusing_server.py PORT CERTFILE KEYFILE MODE
Binds 127.0.0.1:PORT, TLS with ALPN h2 only. MODE decides what the extended CONNECT gets:
  reset    RST_STREAM with CONNECT_ERROR (0xa)
  goaway   GOAWAY with PROTOCOL_ERROR (0x1), last stream 0, then the connection ends
  silent   nothing at all (the client's bound decides)
"""
import asyncio
import ssl
import sys

import h2.config
import h2.connection
import h2.events
import h2.settings
from h2.errors import ErrorCodes


async def serve_connection(reader, writer, mode):
    connection = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
    connection.local_settings = h2.settings.Settings(
        client=False, initial_values={h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL: 1})
    connection.initiate_connection()
    writer.write(connection.data_to_send())
    await writer.drain()
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            for event in connection.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    headers = dict(event.headers)
                    print("request", headers.get(b":method", b"").decode(), headers.get(b":protocol", b"").decode(),
                          headers.get(b":path", b"").decode(), flush=True)
                    if mode == "reset":
                        connection.reset_stream(event.stream_id, ErrorCodes.CONNECT_ERROR)
                    elif mode == "goaway":
                        connection.close_connection(error_code=ErrorCodes.PROTOCOL_ERROR, last_stream_id=0)
            writer.write(connection.data_to_send())
            await writer.drain()
            if mode == "goaway" and connection.state_machine.state == h2.connection.ConnectionState.CLOSED:
                # A lingering close, as nginx's and the HTTP/2 spec's (RFC 9113 §6.8): read what the client still
                # sends for a while before closing. Closing at once with its late bytes unread makes the kernel
                # send a reset, and the client's kernel drops the unread GOAWAY with it.
                try:
                    while await asyncio.wait_for(reader.read(65536), timeout=1.0):
                        pass
                except (asyncio.TimeoutError, ConnectionError):
                    pass
                break
    except Exception as error:  # a protocol error of the peer ends this connection only
        print("connection error", error, flush=True)
    finally:
        writer.close()


async def main():
    port, certfile, keyfile, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    context.set_alpn_protocols(["h2"])
    server = await asyncio.start_server(lambda r, w: serve_connection(r, w, mode), "127.0.0.1", int(port), ssl=context)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
