"""A FastAPI app under uvicorn with its own JSON envelope, for ws1011 profile files (a peer no one here wrote).

Usage: python fastapi_app.py
Binds 127.0.0.1 on a free port and prints `READY <port>` once listening.

The contract (Fixtures/profiles/fastapi-chat.json describes it): the credential in the query parameter
`access_token` (refused with 1008 before accept, which is HTTP 403, without one); messages
`{"event": NAME, "body": {...}}`; the welcome `{"event": "hello", "body": {"session": ...}}`; `ping` → `pong`;
`chat` → three `chat.delta` chunks → `chat.done`.

Routes:
  /ws          the contract above
  /ws-failing  the same, but the chat handler raises after the second chunk (uvicorn drops the socket)
"""
import asyncio
import socket
import uuid

import uvicorn
from fastapi import FastAPI, WebSocket

app = FastAPI()


async def serve(websocket: WebSocket, failing: bool):
    if not websocket.query_params.get("access_token"):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    await websocket.send_json({"event": "hello", "body": {"session": uuid.uuid4().hex[:8]}})
    while True:
        message = await websocket.receive_json()
        event = message.get("event")
        body = message.get("body") or {}
        if event == "ping":
            await websocket.send_json({"event": "pong", "body": {}})
        elif event == "chat":
            for seq in range(3):
                await websocket.send_json({"event": "chat.delta", "body": {"text": f"part {seq} of {body.get('text', '')}", "seq": seq}})
                if failing and seq == 1:
                    raise RuntimeError("interop: the chat handler failed mid-stream")
                await asyncio.sleep(0.02)
            await websocket.send_json({"event": "chat.done", "body": {"chunks": 3}})
        else:
            await websocket.send_json({"event": "unknown_event", "body": {"received": event}})


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await serve(websocket, failing=False)


@app.websocket("/ws-failing")
async def ws_failing(websocket: WebSocket):
    await serve(websocket, failing=True)


async def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", ws_ping_interval=None, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            return
        await asyncio.sleep(0.02)
    print(f"READY {sock.getsockname()[1]}", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main())
