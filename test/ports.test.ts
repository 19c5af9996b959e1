// Ports certharness hands out: a reserved one stays bound from the moment it is handed out, and
// a responder attaches to it; a port for another program comes from outside the ephemeral range.
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { ReservedPort } from '../src/net/reserved-port.ts';
import { daemonPort, retryingBusyPorts } from '../src/net/daemon-port.ts';
import { http01Standalone } from '../src/clients/acme/responders.ts';
import { validationPorts } from '../src/services/acme/validation-ports.ts';

function get(port: number, path = '/'): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

function bindError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(undefined)));
  });
}

t.test('a reserved port is bound until closed, and serves whoever is attached', async (t) => {
  const reserved = await ReservedPort.reserve('127.0.0.1');
  t.ok(reserved.port > 0);
  t.equal(await bindError(reserved.port), 'EADDRINUSE', 'no other server can bind it');
  t.match(await get(reserved.port), { error: /ECONNRESET|socket hang up/ }, 'with nobody attached, a connection is closed');

  const server = http.createServer((_req, res) => res.end('attached'));
  const detach = reserved.attach(server);
  t.strictSame(await get(reserved.port), { status: 200, body: 'attached' });
  t.throws(() => reserved.attach(http.createServer()), { code: 'EADDRINUSE' }, 'one server at a time, as with bind');
  t.equal(ReservedPort.at('127.0.0.1', reserved.port), reserved, 'found by its address');
  t.equal(ReservedPort.at('0.0.0.0', reserved.port), reserved, 'a wildcard bind would collide with it too');
  t.equal(ReservedPort.at('127.0.0.2', reserved.port), undefined);
  detach();
  server.closeAllConnections();
  t.match(await get(reserved.port), { error: /ECONNRESET|socket hang up/ }, 'detached: closed again');

  await reserved.close();
  t.equal(ReservedPort.at('127.0.0.1', reserved.port), undefined);
  t.match(await get(reserved.port), { error: 'ECONNREFUSED' }, 'closed: nothing listens');
});

t.test("a CA's validation ports: 404 between responders, the step's token while one is attached", async (t) => {
  const ports = await validationPorts('127.0.0.1', {});
  t.teardown(ports.close);
  t.not(ports.httpPort, ports.tlsPort);
  t.match(await get(ports.httpPort, '/.well-known/acme-challenge/abc'), { status: 404 }, 'a web server that knows no token');
  const responder = await http01Standalone('127.0.0.1', ports.httpPort);
  t.equal(responder.port, ports.httpPort, 'the responder attached instead of binding');
  await responder.present({ type: 'dns', value: 'a.example' }, 'abc', 'abc.thumb');
  t.strictSame(await get(ports.httpPort, '/.well-known/acme-challenge/abc'), { status: 200, body: 'abc.thumb' });
  t.equal(responder.hits, 1);
  await t.rejects(http01Standalone('127.0.0.1', ports.httpPort), { code: 'EADDRINUSE' }, 'a second responder is refused like a second bind');
  await responder.close();
  t.match(await get(ports.httpPort, '/.well-known/acme-challenge/abc'), { status: 404 }, 'after the step, 404 again');

  const pinned = await validationPorts('127.0.0.1', { httpPort: 9, tlsPort: 10 });
  t.strictSame([pinned.httpPort, pinned.tlsPort], [9, 10], 'pinned ports are used as given');
  t.equal(ReservedPort.at('127.0.0.1', 9), undefined, 'and left for the program the scenario runs');
  await pinned.close();
});

t.test('a port for another program: free, below the ephemeral range, never the same twice', async (t) => {
  const [ephemeralStart] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) {
    const port = await daemonPort('127.0.0.1');
    t.ok(port > 1024 && port < ephemeralStart!, `${port} is below ${ephemeralStart}`);
    seen.add(port);
  }
  t.equal(seen.size, 50, 'fifty different ports');
  const port = await daemonPort('127.0.0.1');
  t.equal(await bindError(port), undefined, 'it can be bound');
});

t.test('a start that lost its port is tried again on fresh ones; other failures are not', async (t) => {
  let calls = 0;
  const got = await retryingBusyPorts(async () => {
    if (++calls < 3) throw new Error('exited before listening: bind: address already in use');
    return 'up';
  });
  t.strictSame([got, calls], ['up', 3]);
  calls = 0;
  await t.rejects(retryingBusyPorts(async () => (calls++, Promise.reject(new Error('listen EADDRINUSE: 127.0.0.1:80')))), /EADDRINUSE/);
  t.equal(calls, 3, 'three attempts at most');
  calls = 0;
  await t.rejects(retryingBusyPorts(async () => (calls++, Promise.reject(new Error('no such file')))), /no such file/);
  t.equal(calls, 1, 'not retried');
  calls = 0;
  await t.rejects(retryingBusyPorts(async () => (calls++, Promise.reject(new Error('address already in use'))), 1), /in use/);
  t.equal(calls, 1, 'a pinned port is tried once');
});
