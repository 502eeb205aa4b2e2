// WebSockets over HTTP/2 (RFC 8441) with Node's own http2 module (`enableConnectProtocol`) and the `ws`
// library (Debian node-ws) speaking RFC 6455 on the stream; HTTP/1.1 upgrades are served by the same
// library (allowHTTP1), so a run over HTTP/1.1 and one over HTTP/2 meet the same echo.
//
// usage: node h2_node_server.js PORT CERT KEY MODE
//   works        the extended CONNECT is answered 200 and the stream echoes messages
//   refuse       advertises SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, then resets every CONNECT (REFUSED_STREAM)
//   reset-open   answers the first message by resetting the stream (RST_STREAM INTERNAL_ERROR), no close frame
//   goaway-open  answers the first message with GOAWAY PROTOCOL_ERROR (last stream 0), then ends the connection
//   mute         over HTTP/2 the WebSocket answers pings but never a message (over HTTP/1.1 it echoes)
//   close-open   answers the first message with the stream's close() (END_STREAM, then RST_STREAM NO_ERROR), no close frame
// Prints "request CONNECT websocket PATH" for every extended CONNECT it reads.
'use strict';
const http2 = require('http2');
const fs = require('fs');
const WebSocket = require('/usr/share/nodejs/ws/lib/websocket.js');
const { WebSocketServer } = require('/usr/share/nodejs/ws');

const [port, certPath, keyPath, mode] = process.argv.slice(2);
const server = http2.createSecureServer({
  cert: fs.readFileSync(certPath),
  key: fs.readFileSync(keyPath),
  allowHTTP1: true,
  settings: { enableConnectProtocol: true },
});
const h1 = new WebSocketServer({ noServer: true });

// Echoes every message; with `instead`, the first message is not echoed: `instead` runs in its place.
function echo(ws, instead) {
  ws.on('message', (data, isBinary) => {
    if (instead) {
      const run = instead;
      instead = undefined;
      run();
      return;
    }
    ws.send(data, { binary: isBinary });
  });
  ws.on('error', () => {});
}

server.on('upgrade', (req, socket, head) => {
  h1.handleUpgrade(req, socket, head, (ws) => echo(ws));
});

server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  if (headers[':method'] !== 'CONNECT' || headers[':protocol'] !== 'websocket') {
    stream.respond({ ':status': 404 }, { endStream: true });
    return;
  }
  console.log(`request CONNECT websocket ${headers[':path']}`);
  if (mode === 'refuse') {
    stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    return;
  }
  const offered = (headers['sec-websocket-protocol'] || '').split(',').map((s) => s.trim()).filter(Boolean);
  const answer = { ':status': 200 };
  if (offered.length > 0) answer['sec-websocket-protocol'] = offered[0];
  stream.respond(answer);
  // The stream is the WebSocket's byte stream (RFC 8441 §5); ws asks a socket for these two.
  stream.setNoDelay = () => {};
  const ws = new WebSocket(null, undefined, {});
  ws.setSocket(stream, Buffer.alloc(0), { maxPayload: 16 * 1024 * 1024 });
  let after;
  // destroy with an error resets at once (RST_STREAM INTERNAL_ERROR); close() would end the stream first.
  if (mode === 'reset-open') after = () => stream.destroy(new Error('interop: reset the open stream'));
  // close() ends our side first (END_STREAM) and then resets the stream with NO_ERROR (RFC 9113 §8.1).
  if (mode === 'close-open') after = () => stream.close(http2.constants.NGHTTP2_NO_ERROR);
  if (mode === 'goaway-open') {
    after = () => {
      const session = stream.session;
      session.goaway(http2.constants.NGHTTP2_PROTOCOL_ERROR, 0);
      setTimeout(() => session.destroy(), 200);
    };
  }
  if (mode === 'mute') {
    ws.on('error', () => {});
    return;
  }
  echo(ws, after);
});

server.listen(Number(port), '127.0.0.1', () => console.log(`listening ${port} ${mode}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
