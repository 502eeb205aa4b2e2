"""A server with the netra application's WebSocket shapes, on python-websockets (a peer no one here wrote).

Usage: python netra_server.py MODE
Binds 127.0.0.1 on a free port and prints `READY <port>` once listening.

The shapes (as the netra backend's own code writes them): the token in the subprotocol entry `jwt.<base64url>`
beside `jwt-auth`, and the server selects that exact `jwt.<token>` entry; server messages
`{"type", "data", "timestamp", ...}`; `ping` → `pong`; `start_agent` (payload `user_request`) → agent_started,
agent_thinking (twice), tool_executing, tool_completed, agent_completed, each with run_id, user_id and
agent_name at the top level and the detail under `data`. No token entry: HTTP 403 before the upgrade.

Modes:
  plain    the welcome is {"type": "connection_established", "data": {...}}
  system   the welcome is {"type": "system_message", "data": {"event": "connection_established", ...}}
  crash    plain welcome; the agent run closes 1011 "Internal error" after agent_thinking
"""
import asyncio
import json
import sys
import time
import uuid
from http import HTTPStatus

from websockets.asyncio.server import serve

mode = sys.argv[1] if len(sys.argv) > 1 else "plain"


def token_entry(offered):
    return next((p for p in offered if p.startswith("jwt.") and len(p) > 4), None)


def select_subprotocol(connection, offered):
    return token_entry(offered)


def process_request(connection, request):
    offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
    if token_entry(offered) is None:
        return connection.respond(HTTPStatus.FORBIDDEN, "missing jwt.<token> subprotocol\n")
    return None


def message(kind, data, **top):
    return json.dumps({"type": kind, "data": data, "timestamp": time.time(), **top})


async def handler(websocket):
    connection_id = "conn_" + uuid.uuid4().hex[:8]
    user_id = "user_" + uuid.uuid4().hex[:6]
    if mode == "system":
        await websocket.send(message("system_message", {"event": "connection_established", "connection_id": connection_id, "user_id": user_id}))
    else:
        await websocket.send(message("connection_established", {"connection_id": connection_id, "user_id": user_id}))
    async for text in websocket:
        msg = json.loads(text)
        kind = msg.get("type")
        payload = msg.get("payload") or {}
        if kind == "ping":
            await websocket.send(message("pong", {}))
        elif kind == "start_agent":
            run_id = "run_" + uuid.uuid4().hex[:8]
            agent = payload.get("agent_name") or "supervisor"
            top = {"run_id": run_id, "user_id": user_id, "agent_name": agent}
            steps = [
                ("agent_started", {"user_request": payload.get("user_request", "")}),
                ("agent_thinking", {"thought": "reading the request", "step": 1}),
                ("agent_thinking", {"thought": "choosing a tool", "step": 2}),
                ("tool_executing", {"tool_name": "search"}),
                ("tool_completed", {"tool_name": "search", "result": "ok"}),
                ("agent_completed", {"result": "done"}),
            ]
            for index, (event, data) in enumerate(steps):
                await websocket.send(message(event, data, **top))
                if mode == "crash" and index == 2:
                    await websocket.close(1011, "Internal error")
                    return
                await asyncio.sleep(0.02)
        else:
            await websocket.send(message("error", {"message": f"unknown type {kind}"}))


async def main():
    async with serve(handler, "127.0.0.1", 0, subprotocols=None, select_subprotocol=select_subprotocol,
                     process_request=process_request, ping_interval=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"READY {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
