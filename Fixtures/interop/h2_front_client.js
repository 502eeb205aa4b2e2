// Node's own http2 client against the lab's HTTP/2 front (`ws1011 proxy --http2`) in front of
// h2_browser_page_server.js: reads the front's SETTINGS, GETs the page, POSTs a body of unknown length, then
// opens an extended CONNECT (RFC 8441) to `/stall`, whose origin does not read, and writes for 3 s: the bytes
// the stream takes are bounded by the front's back-pressure. Then resets the stream (CANCEL) and keeps the
// session open 8 s more.
//
// usage: node h2_front_client.js PORT CA_FILE
// At the same time it opens one to `/flood` and never reads it (the origin writes as fast as it can).
// Prints "settings enableConnectProtocol=N", "get STATUS BYTES", "post STATUS BODY", "flood-status STATUS", "stall-status STATUS",
// "stall-flushed BYTES" (what the stream took within the time), "reset".
'use strict';
const http2 = require('http2');
const fs = require('fs');

const [port, caPath] = process.argv.slice(2);
const session = http2.connect(`https://127.0.0.1:${port}`, { ca: fs.readFileSync(caPath) });
session.on('error', (e) => { console.log(`session-error ${e.code || e.message}`); process.exit(1); });
setTimeout(() => { console.log('timeout'); process.exit(1); }, 30000).unref();

function exchange(headers, body) {
  return new Promise((resolve, reject) => {
    const req = session.request(headers);
    let status;
    let text = '';
    req.on('response', (h) => { status = h[':status']; });
    req.setEncoding('utf8');
    req.on('data', (d) => { text += d; });
    req.on('end', () => resolve({ status, text }));
    req.on('error', reject);
    if (body) {
      for (let i = 0; i < 10; i++) req.write(body);
    }
    req.end();
  });
}

session.once('remoteSettings', async (settings) => {
  console.log(`settings enableConnectProtocol=${settings.enableConnectProtocol ? 1 : 0}`);
  const page = await exchange({ ':path': '/' });
  console.log(`get ${page.status} ${page.text.length}`);
  const post = await exchange({ ':method': 'POST', ':path': '/echo' }, 'x'.repeat(10000));
  console.log(`post ${post.status} ${post.text}`);

  // A stream this client never reads: the origin behind it writes as fast as it can.
  const flood = session.request(
    { ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/flood', 'sec-websocket-version': '13' }, { endStream: false });
  flood.on('error', () => {});
  flood.on('response', (h) => {
    console.log(`flood-status ${h[':status']}`);
    flood.pause();
    setTimeout(() => flood.close(http2.constants.NGHTTP2_CANCEL), 5000);
  });

  const stream = session.request(
    { ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/stall', 'sec-websocket-version': '13' }, { endStream: false });
  stream.on('error', () => {});
  stream.on('response', (h) => {
    console.log(`stall-status ${h[':status']}`);
    const chunk = Buffer.alloc(65536, 0x61);
    const limit = 64 * 1024 * 1024;
    let queued = 0;
    let flushed = 0;
    const start = Date.now();
    function pump() {
      while (queued < limit && Date.now() - start < 3000) {
        queued += chunk.length;
        const more = stream.write(chunk, () => { flushed += chunk.length; });
        if (!more) { stream.once('drain', pump); return; }
      }
    }
    pump();
    setTimeout(() => {
      console.log(`stall-flushed ${flushed}`);
      stream.close(http2.constants.NGHTTP2_CANCEL);
      console.log('reset');
      // The session stays open 8 s more: the origin's connection is closed because of the reset alone.
      setTimeout(() => { console.log('session-close'); session.close(); process.exit(0); }, 8000);
    }, 4000);
  });
});
