// The proxy goes to its upstream and nowhere else: an absolute-form request naming another
// host is answered 400 and no connection is made there (the proxy would otherwise present the
// scenario's client certificate to whoever the caller names). Its own address in absolute
// form is forwarded, and the proxy keeps serving afterwards.
import t from 'tap';
import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { BIN, ROOT, firstLine } from './helpers.ts';

function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((done, fail) => {
    const s = connect({ host: '127.0.0.1', port });
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('end', () => done(out));
    s.on('error', fail);
    s.write(head);
  });
}

t.test('absolute-form targets: only the proxy itself, never another host', async (t) => {
  const child = spawn(process.execPath, [BIN, 'serve', 'scenarios/001-proxy.yaml', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = new Promise((done) => child.on('close', done));
  t.teardown(async () => {
    child.kill('SIGINT');
    await closed;
  });
  const world = JSON.parse(await firstLine(child)) as { services: Record<string, { port: number }> };
  const proxy = world.services.proxy!.port;

  // A decoy listener: if the proxy ever dials it, it is a relay.
  const dialed: Socket[] = [];
  const decoy = createServer((s) => (dialed.push(s), s.destroy()));
  await new Promise<void>((done) => decoy.listen(0, '127.0.0.1', done));
  t.teardown(() => decoy.close());
  const decoyPort = (decoy.address() as { port: number }).port;

  const other = await rawRequest(proxy, `GET http://127.0.0.1:${decoyPort}/steal HTTP/1.1\r\nHost: 127.0.0.1:${decoyPort}\r\nConnection: close\r\n\r\n`);
  t.match(other, /^HTTP\/1\.1 400 /, 'another authority: 400');
  t.match(other, /forwards only to its upstream/, 'and says why');
  const star = await rawRequest(proxy, `OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  t.match(star, /^HTTP\/1\.1 400 /, 'asterisk-form: 400');
  t.equal(dialed.length, 0, 'no connection was made to the decoy');

  const own = await rawRequest(proxy, `GET http://127.0.0.1:${proxy}/hello/world HTTP/1.1\r\nHost: 127.0.0.1:${proxy}\r\nConnection: close\r\n\r\n`);
  t.match(own, /^HTTP\/1\.1 200 /, "the proxy's own address in absolute form is forwarded");
  const after = await rawRequest(proxy, `GET /hello/world HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  t.match(after, /^HTTP\/1\.1 200 /, 'and the proxy still serves');

  // 2,000 malformed requests through the proxy to its upstream: each may be refused, none may kill either.
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const pick = <T>(xs: T[]) => xs[rand(xs.length)]!;
  const statuses = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'CONNECT', 'TRACE', 'X'.repeat(rand(40) + 1), 'G\u00e9T']);
    const target = pick(['/', '/%ZZ', '//', `/${'a'.repeat(rand(9000))}`, 'http://[::1', '*', 'example.org:443', `http://127.0.0.1:${proxy}/x?${'%'.repeat(rand(50))}`, '/\u00ff\u0001']);
    const header = pick(['', 'X-A: \u00e9\r\n', `X-Big: ${'b'.repeat(rand(20000))}\r\n`, 'Content-Length: 5\r\n', 'Content-Length: -1\r\n', 'Transfer-Encoding: chunked\r\n', 'Host: \r\n', ': empty\r\n']);
    const res = await rawRequest(proxy, `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${header}Connection: close\r\n\r\n`).catch(() => 'reset');
    const status = /^HTTP\/1\.1 (\d+)/.exec(res)?.[1] ?? (res === 'reset' || res === '' ? 'closed' : 'other');
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  t.notOk(statuses.has('500'), 'no request made the proxy or the upstream fail with 500');
  const last = await rawRequest(proxy, `GET /hello/world HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  t.match(last, /^HTTP\/1\.1 200 /, 'after them, the proxy and the upstream still serve');
  t.equal(child.exitCode, null, 'serve is still running');
});
