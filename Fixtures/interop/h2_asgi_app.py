"""A plain ASGI WebSocket app served by hypercorn over TLS, with HTTP/2 (RFC 8441) and HTTP/1.1.

Usage: python h2_asgi_app.py PORT CERTFILE KEYFILE
Binds 127.0.0.1:PORT. Hypercorn offers ALPN h2 and http/1.1 and, over h2, advertises
SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (WebSockets over HTTP/2).

Routes (WebSocket):
  /echo      accept (echoing the first offered subprotocol), echo every message; over either HTTP version
  /h1-only   accept over HTTP/1.1; over HTTP/2 close before accepting, which hypercorn answers with
             :status 403 on the extended CONNECT -- a server that advertises the setting and cannot
             serve WebSockets over it
Everything else: HTTP 404.
"""
import asyncio
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"not found"})
        return
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    if scope["path"] == "/h1-only" and scope.get("http_version") == "2":
        await send({"type": "websocket.close", "code": 1000})
        return
    if scope["path"] not in ("/echo", "/h1-only"):
        await send({"type": "websocket.close", "code": 1000})
        return
    offered = scope.get("subprotocols") or []
    await send({"type": "websocket.accept", "subprotocol": offered[0] if offered else None})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": message["text"]})
        elif message.get("bytes") is not None:
            await send({"type": "websocket.send", "bytes": message["bytes"]})


def main():
    port, certfile, keyfile = sys.argv[1], sys.argv[2], sys.argv[3]
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.certfile = certfile
    config.keyfile = keyfile
    config.alpn_protocols = ["h2", "http/1.1"]
    config.accesslog = "-"
    asyncio.run(serve(app, config))


if __name__ == "__main__":
    main()
