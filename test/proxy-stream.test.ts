// The proxy writes the upstream's body straight into its response: a large body arrives whole
// with the upstream's headers and without its hop-by-hop ones; an upstream that fails halfway
// cuts the client's response short and is logged; a client that leaves frees the upstream
// connection; and the proxy serves the next request after each.
import t from 'tap';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { proxyService } from '../src/services/proxy/index.ts';
import { listenerIdentity } from '../src/services/acme/listener-identity.ts';
import { Revocations } from '../src/pki/revocations.ts';

const BIG = Buffer.alloc(2 * 1024 * 1024, 'x');
let leftEarly: () => void;
const upstreamSawClose = new Promise<void>((resolve) => (leftEarly = resolve));

async function upstream(): Promise<https.Server> {
  const id = await listenerIdentity(new Date());
  const server = https.createServer({ cert: id.cert, key: id.key }, (req, res: ServerResponse) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-from': 'upstream', 'keep-alive': 'timeout=5', 'content-length': String(BIG.length) });
      // In 64 KiB writes: the body comes in many chunks.
      for (let i = 0; i < BIG.length; i += 65536) res.write(BIG.subarray(i, i + 65536));
      res.end();
    } else if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x'.repeat(100), () => res.socket?.destroy());
    } else {
      // /endless: a chunk at a time until the connection goes.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const tick = setInterval(() => res.write('more\n'), 5);
      res.once('close', () => (clearInterval(tick), leftEarly()));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function get(port: number, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      const done = () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete });
      res.once('end', done);
      res.once('aborted', done);
      res.once('error', done);
    });
    req.once('error', reject);
  });
}

// A bound on the waits for log lines below: a proxy that never logs fails here, not at tap's six minutes.
t.test('the proxy relays a body whole, cuts one the upstream breaks, frees one the client leaves, and keeps serving', { timeout: 60_000 }, async (t) => {
  const up = await upstream();
  t.teardown(() => new Promise<void>((resolve) => up.close(() => resolve())));
  up.on('connection', (s) => t.teardown(() => s.destroy()));
  const log: string[] = [];
  let relayFailed: () => void;
  const relayFailureLogged = new Promise<void>((resolve) => (relayFailed = resolve));
  let clientLeft: () => void;
  const clientLeftLogged = new Promise<void>((resolve) => (clientLeft = resolve));
  const running = await proxyService.start({ target: `https://127.0.0.1:${(up.address() as AddressInfo).port}`, verify: false }, {
    name: 'proxy', workDir: '/nonexistent', host: '127.0.0.1', signal: new AbortController().signal, env: {}, log: (l) => {
      log.push(l);
      if (/^\[error\] relaying the response: /.test(l)) relayFailed();
      if (/^\[info\] the client closed the connection before the response ended \(GET "\/endless"\)$/.test(l)) clientLeft();
    }, pki: {}, services: {}, scenarioDir: '.', revocations: new Revocations(new Date()),
  });
  t.teardown(() => running.stop());
  const port = Number(running.props.port);

  const big = await get(port, '/big');
  t.equal(big.status, 200);
  t.ok(big.complete, 'the response ended as the upstream ended it');
  t.ok(big.body.equals(BIG), 'all 2 MiB, in order');
  t.equal(big.headers['x-from'], 'upstream', "the upstream's headers");
  t.equal(big.headers['keep-alive'], undefined, 'but not its hop-by-hop ones');

  const cut = await get(port, '/cut');
  t.equal(cut.status, 200, 'the head had come');
  t.notOk(cut.complete, 'the body did not: the client sees a response cut short, not a whole one');
  t.ok(cut.body.length < 1000);
  await relayFailureLogged;
  t.pass('and the proxy says why in its log');

  // The client reads the head and a first chunk, then goes.
  await new Promise<void>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/endless', agent: false }, (res) => res.once('data', () => (req.destroy(), resolve())));
    req.once('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
  });
  await upstreamSawClose;
  t.pass('the upstream saw its response closed when the client left');
  await clientLeftLogged;
  t.equal(log.filter((l) => l.startsWith('[error]')).length, 1, 'which the log tells as the client leaving, not as an error');

  const again = await get(port, '/big');
  t.ok(again.complete && again.body.equals(BIG), 'the proxy serves the next request whole');
});
