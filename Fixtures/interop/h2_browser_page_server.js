// The HTTP/1.1 origin behind the lab's HTTP/2 front (`ws1011 proxy --http2`) for headless Chromium: serves a
// page that opens a WebSocket to its own origin, echoes WebSocket messages (Debian node-ws), and holds the
// page's load (an image) until the page reports how its WebSocket ended, so `chromium --dump-dom` prints the
// outcome.
//
// Also, for h2_front_client.js: `POST /echo` answers the body's length; an upgrade to `/stall` is accepted
// (101) and then not read for 6 s, so the front's back-pressure is all that stops the sender; an upgrade to
// `/flood` is accepted and then written to as fast as the socket takes it (printed as "flood-flushed BYTES").
//
// usage: node h2_browser_page_server.js PORT
// Prints "upgrade via=VIA" for every WebSocket upgrade (the front adds `Via: 2 ws1011` to what came over
// HTTP/2), "message TEXT" for every message, "page via=VIA" for the page, "done RESULT" for the report,
// "stall open" / "stall closed MS" (ms after it opened) for the stalled upgrade.
'use strict';
const crypto = require('crypto');
const http = require('http');
const { WebSocketServer } = require('/usr/share/nodejs/ws');

const [port] = process.argv.slice(2);
const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>ws1011 h2 front</title></head><body>
<pre id="result">pending</pre>
<script>
const out = document.getElementById('result');
const log = [];
let finished = false;
function finish(text) {
  if (finished) return;
  finished = true;
  out.textContent = text;
  fetch('/done?' + encodeURIComponent(text)).catch(() => {});
}
const ws = new WebSocket('wss://' + location.host + '/ws');
ws.onopen = () => { log.push('open'); ws.send('hello from chromium'); };
ws.onmessage = (e) => { log.push('echo:' + e.data); ws.close(1000, 'bye'); };
ws.onclose = (e) => finish(log.concat(['close:' + e.code]).join(' '));
setTimeout(() => finish(log.concat(['timeout']).join(' ')), 10000);
</script>
<img src="/hold" alt="">
</body></html>`;

const held = [];
let done = false;
function release() {
  done = true;
  while (held.length) held.pop().end();
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/') {
    console.log(`page via=${req.headers['via'] || '-'}`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  } else if (url.pathname === '/hold') {
    res.writeHead(204, { 'cache-control': 'no-store' });
    if (done) res.end(); else held.push(res);
    setTimeout(() => res.end(), 15000);
  } else if (url.pathname === '/done') {
    console.log(`done ${decodeURIComponent(url.search.slice(1))}`);
    res.writeHead(204);
    res.end();
    release();
  } else if (url.pathname === '/echo' && req.method === 'POST') {
    let length = 0;
    req.on('data', (chunk) => { length += chunk.length; });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`length ${length} via=${req.headers['via'] || '-'}`);
    });
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
});
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  if (req.url === '/stall') {
    const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.pause();
    const opened = Date.now();
    console.log('stall open');
    // Reading again after 6 s lets the front's close of this connection show (a paused socket sees no end).
    setTimeout(() => socket.resume(), 6000);
    socket.on('data', () => {});
    socket.on('error', () => {});
    // The front's close (FIN) is the end; an upgraded socket is half-open, so 'close' would wait for ours.
    socket.on('end', () => { console.log(`stall closed ${Date.now() - opened}`); socket.destroy(); });
    return;
  }
  if (req.url === '/flood') {
    // Writes for 3 s (at most 64 MiB) to a client that does not read: what the socket takes is bounded by
    // the front's back-pressure only.
    const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('error', () => {});
    const chunk = Buffer.alloc(65536, 0x62);
    const start = Date.now();
    let queued = 0;
    let flushed = 0;
    function pump() {
      while (queued < 64 * 1024 * 1024 && Date.now() - start < 3000 && !socket.destroyed) {
        queued += chunk.length;
        if (!socket.write(chunk, (err) => { if (!err) flushed += chunk.length; })) { socket.once('drain', pump); return; }
      }
    }
    pump();
    setTimeout(() => console.log(`flood-flushed ${flushed}`), 4000);
    return;
  }
  console.log(`upgrade via=${req.headers['via'] || '-'}`);
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data, isBinary) => {
      console.log(`message ${data}`);
      ws.send(data, { binary: isBinary });
    });
  });
});
server.listen(Number(port), '127.0.0.1');
