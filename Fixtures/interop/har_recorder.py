"""Records a HAR of a page's WebSockets with a real headless Chromium, for ws1011's `analyze` tests.

Usage: python har_recorder.py CHROMIUM OUT.har PLAN.json

PLAN.json:
  {"durationMs": 8000,
   "sockets": [{"url": "ws://127.0.0.1:PORT/", "atMs": 0, "sendEveryMs": 500, "sendAtMs": [300],
                "message": "hello", "reconnect": false}],
   "posts": [{"atMs": 2500, "url": "http://127.0.0.1:ADMIN/faults", "json": {...}}]}

Chromium runs headless with its DevTools protocol on a loopback port (`--remote-debugging-port=0`; the port is
read from DevToolsActivePort). The page (about:blank) opens the sockets by the plan; the recorder listens to the
Network domain's WebSocket events (webSocketCreated, webSocketWillSendHandshakeRequest,
webSocketHandshakeResponseReceived, webSocketFrameSent/Received, webSocketFrameError, webSocketClosed) and
writes the HAR entries the way DevTools' own HAR export builds them from the same events: `_resourceType`
"websocket", `_webSocketMessages` of {type send/receive/error, time in seconds since the epoch (the event's
monotonic timestamp moved onto the wall clock by the handshake request's wallTime), opcode, data}, the handshake
request and response headers, `time` from the handshake request to webSocketClosed (0 when still open).
Every wait is bounded; Chromium is always stopped.
"""
import asyncio
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

import websockets

PAGE_SCRIPT = """
(() => {
  const plan = %s;
  for (const s of plan.sockets) {
    const open = (attempt) => {
      const ws = new WebSocket(s.url);
      let timer = null;
      ws.onopen = () => {
        for (const at of (s.sendAtMs || [])) setTimeout(() => { if (ws.readyState === 1) ws.send(s.message || "hello"); }, at);
        if (s.sendEveryMs) timer = setInterval(() => { if (ws.readyState === 1) ws.send(s.message || "hello"); }, s.sendEveryMs);
      };
      ws.onclose = () => {
        if (timer) clearInterval(timer);
        if (s.reconnect && attempt === 0) setTimeout(() => open(1), 200);
      };
    };
    setTimeout(() => open(0), s.atMs || 0);
  }
})();
"""


def headers_list(headers):
    return [{"name": k, "value": v} for k, v in (headers or {}).items()]


def iso(wall):
    return datetime.datetime.fromtimestamp(wall, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Recorder:
    def __init__(self):
        self.sockets = {}
        self.order = []

    def event(self, method, p):
        rid = p.get("requestId")
        if method == "Network.webSocketCreated":
            self.sockets[rid] = {"url": p["url"], "messages": [], "closed": None, "response": None, "request": None}
            self.order.append(rid)
            return
        s = self.sockets.get(rid)
        if s is None:
            return
        if method == "Network.webSocketWillSendHandshakeRequest":
            s["request"] = p["request"]
            s["timestamp"] = p["timestamp"]
            s["offset"] = p["wallTime"] - p["timestamp"]
        elif method == "Network.webSocketHandshakeResponseReceived":
            s["response"] = p["response"]
            s["responseTimestamp"] = p["timestamp"]
        elif method in ("Network.webSocketFrameSent", "Network.webSocketFrameReceived"):
            r = p["response"]
            s["messages"].append(("send" if method.endswith("Sent") else "receive", p["timestamp"], r.get("opcode", 1), r.get("payloadData", "")))
        elif method == "Network.webSocketFrameError":
            s["messages"].append(("error", p["timestamp"], -1, p.get("errorMessage", "")))
        elif method == "Network.webSocketClosed":
            s["closed"] = p["timestamp"]

    def har(self, version):
        entries = []
        for rid in self.order:
            s = self.sockets[rid]
            if "timestamp" not in s:
                continue
            offset, start = s["offset"], s["timestamp"]
            response = s["response"] or {}
            wait = ((s.get("responseTimestamp") or start) - start) * 1000
            entries.append({
                "startedDateTime": iso(start + offset),
                "time": ((s["closed"] - start) * 1000) if s["closed"] else 0,
                "request": {"method": "GET", "url": s["url"], "httpVersion": "HTTP/1.1",
                            "headers": headers_list((s["request"] or {}).get("headers")), "queryString": [], "cookies": [],
                            "headersSize": -1, "bodySize": 0},
                "response": {"status": response.get("status", 0), "statusText": response.get("statusText", ""),
                             "httpVersion": "HTTP/1.1", "headers": headers_list(response.get("headers")), "cookies": [],
                             "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "", "headersSize": -1,
                             "bodySize": -1, "_transferSize": 0, "_error": None},
                "cache": {},
                "timings": {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": wait, "receive": 0},
                "_resourceType": "websocket",
                "_webSocketMessages": [{"type": t, "time": ts + offset, "opcode": op, "data": data} for (t, ts, op, data) in s["messages"]],
            })
        return {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": version},
                        "pages": [], "entries": entries}}


async def run(chromium, out, plan):
    profile = tempfile.mkdtemp(prefix="ws1011-har-")
    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
         "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        active = os.path.join(profile, "DevToolsActivePort")
        for _ in range(600):
            if os.path.exists(active) and len(open(active).read().split("\n")) >= 2:
                break
            if proc.poll() is not None:
                raise SystemExit(f"chromium exited with {proc.returncode}: {proc.stderr.read().decode(errors='replace')[-2000:]}")
            await asyncio.sleep(0.05)
        else:
            raise SystemExit("chromium wrote no DevToolsActivePort within 30 s")
        port, path = open(active).read().split("\n")[:2]
        async with websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=10) as cdp:
            ids = iter(range(1, 1_000_000))
            pending = {}
            recorder = Recorder()

            async def reader():
                async for raw in cdp:
                    msg = json.loads(raw)
                    if "id" in msg and msg["id"] in pending:
                        pending.pop(msg["id"]).set_result(msg)
                    elif "method" in msg:
                        recorder.event(msg["method"], msg.get("params", {}))

            task = asyncio.create_task(reader())

            async def call(method, params=None, session=None):
                i = next(ids)
                fut = asyncio.get_running_loop().create_future()
                pending[i] = fut
                msg = {"id": i, "method": method, "params": params or {}}
                if session:
                    msg["sessionId"] = session
                await cdp.send(json.dumps(msg))
                reply = await asyncio.wait_for(fut, 15)
                if "error" in reply:
                    raise SystemExit(f"{method}: {reply['error']}")
                return reply.get("result", {})

            version = (await call("Browser.getVersion")).get("product", "Chromium")
            targets = (await call("Target.getTargets"))["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            session = (await call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}))["sessionId"]
            await call("Network.enable", {}, session)
            await call("Runtime.evaluate", {"expression": PAGE_SCRIPT % json.dumps(plan)}, session)
            loop = asyncio.get_running_loop()
            started = loop.time()
            for post in sorted(plan.get("posts", []), key=lambda p: p["atMs"]):
                await asyncio.sleep(max(0, started + post["atMs"] / 1000 - loop.time()))
                req = urllib.request.Request(post["url"], data=json.dumps(post["json"]).encode(), method="POST",
                                             headers={"Content-Type": "application/json"})
                await loop.run_in_executor(None, lambda: urllib.request.urlopen(req, timeout=5).read())
            await asyncio.sleep(max(0, started + plan["durationMs"] / 1000 - loop.time()))
            try:
                await asyncio.wait_for(call("Browser.close"), 5)
            except Exception:
                pass
            task.cancel()
        with open(out, "w") as f:
            json.dump(recorder.har(version), f, indent=1)
        print(f"RECORDED {len(recorder.order)} websocket(s)", flush=True)
    finally:
        try:
            proc.terminate()
            proc.wait(5)
        except Exception:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    chromium, out, plan_path = sys.argv[1:4]
    with open(plan_path) as f:
        plan = json.load(f)
    asyncio.run(asyncio.wait_for(run(chromium, out, plan), plan["durationMs"] / 1000 + 60))
