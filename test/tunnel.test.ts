// The tunnel service: the --resolve of clients that have none. It takes the names under its
// domains to loopback and a loopback address to itself, and refuses every other target before
// dialling anything; a hostile or vanishing client fails only its own connection.
import t from 'tap';
import net from 'node:net';
import { once } from 'node:events';
import { tunnelService, tunnelTarget } from '../src/services/tunnel/index.ts';
import type { ServiceContext } from '../src/services/types.ts';
import { needPeer, runScenariosHere, validateText } from './helpers.ts';

t.test('where a CONNECT target goes: its domains and loopback, nothing else', async (t) => {
  const domains = ['tunnel.test'];
  t.strictSame(tunnelTarget('app.tunnel.test:443', domains, '127.0.0.1'), { host: '127.0.0.1', port: 443 }, 'a name under a domain');
  t.strictSame(tunnelTarget('tunnel.test:8443', domains, '127.0.0.1'), { host: '127.0.0.1', port: 8443 }, 'the domain itself');
  t.strictSame(tunnelTarget('A.Tunnel.Test:1', domains, '127.0.0.1'), { host: '127.0.0.1', port: 1 }, 'names are case-insensitive');
  t.strictSame(tunnelTarget('127.0.0.2:80', domains, '127.0.0.1'), { host: '127.0.0.2', port: 80 }, 'a loopback address as it is');
  t.strictSame(tunnelTarget('127.1:80', domains, '127.0.0.1'), { host: '127.0.0.1', port: 80 }, 'a loopback address in a short form, canonical');
  t.strictSame(tunnelTarget('[::1]:80', domains, '127.0.0.1'), { host: '::1', port: 80 }, 'IPv6 loopback');
  const refusals: [string, RegExp][] = [
    ['nottunnel.test:443', /not under tunnel\.test/],
    ['tunnel.test.evil:443', /not under tunnel\.test/],
    ['192.0.2.1:443', /not a loopback address/],
    ['[2001:db8::1]:443', /not a loopback address/],
    ['app.tunnel.test', /CONNECT needs host:port/],
    ['app.tunnel.test:0', /CONNECT needs host:port/],
    ['app.tunnel.test:65536', /CONNECT needs host:port/],
    ['user@app.tunnel.test:443', /CONNECT needs host:port/],
    ['app.tunnel.test:443/path', /CONNECT needs host:port/],
    ['a:b:c', /CONNECT needs host:port/],
  ];
  for (const [authority, why] of refusals) {
    const r = tunnelTarget(authority, domains, '127.0.0.1');
    t.ok('refused' in r && why.test(r.refused), `${authority}: refused (${'refused' in r ? r.refused : 'dialled'})`);
  }
});

t.test('a scenario reaches its upstream through the tunnel, with 403 and 502 for what it cannot take', async (t) => {
  if (!needPeer(t, 'curl')) return;
  const { result, failures } = await runScenariosHere(['test/fixtures/scenarios/tunnel.yaml']);
  t.strictSame(failures, []);
  t.equal(result.scenarios[0]!.steps.filter((s) => s.status === 'passed').length, 7, 'every step passed');
});

/** Writes `text` on a fresh connection to the tunnel and reads until it closes or `enough` matches. */
async function exchange(port: number, text: string, enough = /\r\n\r\n/): Promise<{ reply: string; socket: net.Socket }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(text);
  let reply = '';
  socket.setEncoding('latin1');
  await new Promise<void>((resolve) => {
    socket.on('data', (d: string) => ((reply += d), enough.test(reply) && resolve()));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
  return { reply, socket };
}

t.test('hostile clients: garbage, a half request and a client that vanishes mid-tunnel fail their own connection only', async (t) => {
  const lines: string[] = [];
  const ctx = { name: 'resolver', host: '127.0.0.1', log: (l: string) => lines.push(l) } as unknown as ServiceContext;
  const tunnel = await tunnelService.start({ domains: ['tunnel.test'] }, ctx);
  t.teardown(() => tunnel.stop());
  const port = tunnel.props.port as number;
  const echo = net.createServer((s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  t.teardown(() => echo.close());
  const echoPort = (echo.address() as net.AddressInfo).port;

  const bad = await exchange(port, 'CONNECT a:b:c HTTP/1.1\r\nHost: x\r\n\r\n');
  t.match(bad.reply, /^HTTP\/1\.1 403 Forbidden\r\n/, 'a target that is not host:port: 403');
  const garbage = await exchange(port, '\x16\x03\x01\x00\xff garbage\r\n\r\n');
  t.match(garbage.reply, /^(HTTP\/1\.1 400|$)/, 'bytes that are not HTTP: a 400 or a close, nothing else');
  const half = net.connect(port, '127.0.0.1');
  await once(half, 'connect');
  half.write('CONNECT app.tunnel.test:');
  half.destroy();

  const open = await exchange(port, `CONNECT app.tunnel.test:${echoPort} HTTP/1.1\r\nHost: app.tunnel.test\r\n\r\nearly bytes`, /early bytes/);
  t.match(open.reply, /^HTTP\/1\.1 200 OK\r\n\r\nearly bytes/, 'a tunnel, and the bytes sent with the request go through it');
  open.socket.destroy();

  const after = await exchange(port, `CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\n\r\nping`, /ping/);
  t.match(after.reply, /^HTTP\/1\.1 200 OK\r\n\r\nping$/, 'still serving after all of that');
  t.ok(lines.some((l) => l.includes('refused')), 'the refusal is in the service log');

  const closed = once(after.socket, 'close');
  await tunnel.stop();
  await closed;
  t.ok(after.socket.destroyed, 'stop closes the tunnels still open');
  const refused = net.connect(port, '127.0.0.1');
  const [e] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
  t.equal(e.code, 'ECONNREFUSED', 'and its port is released');
});

t.test('a domain that is not a host name, or none at all, is bad input at load: one line each with its position, exit 2', async (t) => {
  const r = await validateText(t, 'scenario: x\nservices:\n  r: { kind: tunnel, domains: ["a;b", ""] }\n  s: { kind: tunnel }\nsteps: []\n', 'bad-tunnel.yaml');
  const file = r.file;
  t.equal(r.code, 2);
  t.equal(r.stderr, `${file}:3:32: services.r.domains[0] has an unexpected form: 'a;b' (for example catalogue.test)\n${file}:3:39: services.r.domains[1] has an unexpected form: '' (for example catalogue.test)\n${file}:4:6: services.s is missing required key 'domains'\n3 problems; nothing was run\n`);
});
