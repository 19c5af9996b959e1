// Only loopback, unless asked in so many words (and nothing asks yet): `serve acme` maps
// Pebble's "every interface" in all its spellings to 127.0.0.1 and refuses other hosts with
// exit 2; the validator dials loopback only; Express Gateway listens on 127.0.0.1.
import t from 'tap';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, firstLine, needPeer, runCliHere, scratchDir } from './helpers.ts';
import { canonicalHost, isLoopback, loopbackListenHost } from '../src/runtime/network.ts';
import { Validator } from '../src/services/acme/va.ts';
import { listeningSockets } from '../src/clients/socket-owner.ts';
import { seededChance } from '../src/services/acme/chance.ts';

/** The local addresses listening on `port`, as /proc writes them (0100007F is 127.0.0.1). */
const listenAddresses = (port: number) => listeningSockets(port).map((s) => s.address);

t.test('the address rules', async (t) => {
  for (const h of ['0', '0.0.0.0', '::', '[::0]', '0:0:0:0:0:0:0:0', '*', '']) t.equal(loopbackListenHost(h), '127.0.0.1', `${JSON.stringify(h)} -> 127.0.0.1`);
  t.equal(canonicalHost('127.1'), '127.0.0.1');
  t.ok(isLoopback('127.9.9.9') && isLoopback('::1') && isLoopback('[::1]') && isLoopback('localhost') && isLoopback('::ffff:127.0.0.1'));
  t.notOk(isLoopback('10.0.0.1') || isLoopback('192.168.1.1') || isLoopback('::ffff:10.0.0.1') || isLoopback('example.org'));
  t.throws(() => loopbackListenHost('10.1.2.3'), { code: 'NOT_LOOPBACK' });
});

t.test('serve acme --config: every spelling of "all interfaces" binds 127.0.0.1; another host is exit 2', async (t) => {
  const tmp = scratchDir(t, 'certharness-loopback-');
  // The first spelling end to end, in a process of its own; the others in this one.
  const [first, ...others] = ['0.0.0.0', '0', '[::0]', '[0:0:0:0:0:0:0:0]', '*'];
  const config = (host: string) => {
    const cfg = join(tmp, 'pebble.json');
    writeFileSync(cfg, JSON.stringify({ pebble: { listenAddress: `${host}:0`, managementListenAddress: `${host}:0`, httpPort: 5002, tlsPort: 5001 } }));
    return cfg;
  };
  const loopbackOnly = (host: string, world: string) => {
    const info = JSON.parse(world) as { directoryUrl: string; managementUrl: string };
    for (const url of [info.directoryUrl, info.managementUrl]) t.strictSame(listenAddresses(Number(new URL(url).port)), ['0100007F'], `${host}: ${url} listens on 127.0.0.1 only`);
  };
  const child = spawn(process.execPath, [BIN, 'serve', 'acme', '--config', config(first!), '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const closed = new Promise((done) => child.on('close', done));
  loopbackOnly(first!, await firstLine(child));
  child.kill('SIGINT');
  await closed;
  for (const host of others) {
    const r = await runCliHere(['serve', 'acme', '--config', config(host), '--json'], { whileServing: async (world) => loopbackOnly(host, world) });
    t.equal(r.code, 0, `${host}: stopped by Ctrl-C, exit 0: ${r.stderr}`);
  }
  const cfg = join(tmp, 'wide.json');
  writeFileSync(cfg, JSON.stringify({ pebble: { listenAddress: '10.1.2.3:14000', httpPort: 5002, tlsPort: 5001 } }));
  const r = await runCliHere(['serve', 'acme', '--config', cfg]);
  t.equal(r.code, 2, 'a non-loopback listenAddress: exit 2');
  t.match(r.stderr, /listenAddress 10\.1\.2\.3 is not a loopback address/);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

t.test('the validator dials loopback only, whatever the order or hosts: say', async (t) => {
  const va = new Validator({ httpPort: 9, tlsPort: 9, resolver: 'loopback', hosts: { 'pinned.example': '192.0.2.1' }, alwaysValid: false, sleepSeconds: 0, chance: seededChance(1), log: () => {}, timeoutMs: 500 });
  const ip = await va.validate({ type: 'http-01', identifier: { type: 'ip', value: '192.0.2.7' }, token: 't', keyAuthorization: 'k' } as never);
  t.match(ip?.message, /dials loopback only: 192\.0\.2\.7/, 'an IP identifier outside loopback is not dialed');
  const pinned = await va.validate({ type: 'http-01', identifier: { type: 'dns', value: 'pinned.example' }, token: 't', keyAuthorization: 'k' } as never);
  t.match(pinned?.message, /dials loopback only: pinned\.example is 192\.0\.2\.1/, 'nor a hosts: entry');
  t.throws(() => new Validator({ httpPort: 9, tlsPort: 9, resolver: '8.8.8.8:53', hosts: {}, alwaysValid: false, sleepSeconds: 0, chance: seededChance(1), log: () => {} }), { code: 'NOT_LOOPBACK' }, 'nor a DNS server elsewhere');
});

t.test('Express Gateway, started as a service, listens on 127.0.0.1 only', async (t) => {
  if (!needPeer(t, 'npm:express-gateway')) return;
  const tmp = scratchDir(t, 'certharness-loopback-');
  const scenario = join(tmp, 'gw.yaml');
  writeFileSync(
    scenario,
    `scenario: the gateway's listener
pki:
  ca: { subject: "CN=GW CA", key: ec-p256 }
  server: { issuer: ca, subject: "CN=localhost", san: [localhost], key: ec-p256 }
services:
  gw: { kind: gateway, tls: { default: { key: "{{server.keyFile}}", cert: "{{server.certFile}}" } } }
steps:
  - sleep: 1ms
`,
  );
  const child = spawn(process.execPath, [BIN, 'serve', scenario, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = new Promise((done) => child.on('close', done));
  t.teardown(async () => {
    child.kill('SIGINT');
    await closed;
  });
  const world = JSON.parse(await firstLine(child)) as { services: { gw: { port: number } } };
  t.strictSame(listenAddresses(world.services.gw.port), ['0100007F'], 'the HTTPS port is bound to 127.0.0.1, not every interface');
});
