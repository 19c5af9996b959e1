// Requests per second and p99 latency through certharness's proxy and through the real nginx,
// each presenting a client certificate to the same upstream, measured by the same client
// (autocannon) in one run, one after the other, in rounds that take the parties in turn, so a
// slow moment of the machine falls on each alike. nginx runs twice: as document 001 configures
// it (a TLS connection to the upstream per request) and tuned as in production (keepalive,
// HTTP/1.1 upstream, session reuse). Prints the medians, and the ratios of each round's pair.
//
// Each party has a process of its own, as in a deployment: the load generator (this one), the
// upstream (`certharness serve`), certharness's proxy (a second `serve`, which also starts the
// two nginx, each a process of its own).
//
//   npm run build && node dist/bench/proxy.js [seconds] [connections] [rounds]   (default 5 s, 32 connections, 3 rounds)
//   BENCH_PROFILE_PROXY=DIR writes a CPU profile of the proxies' process to DIR (node --cpu-prof).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { which } from '../src/runtime/index.ts';
import { median } from './median.ts';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 32);
const rounds = Number(process.argv[4] ?? 3);
if (![seconds, connections, rounds].every((n) => Number.isInteger(n) && n >= 1)) {
  console.error('usage: node dist/bench/proxy.js [seconds] [connections] [rounds], each a whole number from 1');
  process.exit(2);
}
const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'certharness');

const UPSTREAM = `scenario: bench proxy, the upstream
pki:
  ca: { subject: "CN=Bench CA", key: ec-p256 }
  server: { issuer: ca, subject: "CN=localhost", san: [localhost, 127.0.0.1], key: ec-p256 }
  client: { issuer: ca, subject: "CN=bench-client", usage: client, key: ec-p256 }
services:
  upstream: { kind: upstream, cert: server, clientCa: ca, routes: [{ path: /hello/world, status: 200, body: "hello world" }] }
steps: []
`;

interface World {
  pki: Record<string, { certFile: string; keyFile?: string }>;
  services: Record<string, { url: string }>;
}

const proxies = (w: World) => `scenario: bench proxy, the proxies
pki:
  ca: { certFile: "${w.pki.ca!.certFile}" }
  client: { certFile: "${w.pki.client!.certFile}", keyFile: "${w.pki.client!.keyFile}" }
services:
  ours: { kind: proxy, target: "${w.services.upstream!.url}", clientCert: client, trust: ca, name: localhost }
${which('nginx') ? `  nginx: { kind: nginx, role: proxy, target: "${w.services.upstream!.url}", clientCert: client, trust: ca, name: localhost }
  nginxTuned: { kind: nginx, role: proxy, target: "${w.services.upstream!.url}", clientCert: client, trust: ca, name: localhost, keepalive: ${connections} }
` : ''}steps: []
`;
const LABELS: Record<string, string> = { ours: 'certharness proxy', nginx: 'nginx, document 001', nginxTuned: 'nginx, tuned' };

const dir = mkdtempSync(join(tmpdir(), 'bench-proxy-'));
const children: ChildProcess[] = [];
const stopAll = () => Promise.all(children.map((c) => new Promise<void>((done) => (c.exitCode !== null ? done() : (c.once('close', () => done()), c.kill('SIGINT'))))));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => (rmSync(dir, { recursive: true, force: true }), process.exit(130))));
}

/** `certharness serve FILE --json` in a process of its own; resolves with the world it prints. */
function serve(name: string, text: string): Promise<World> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  const child = spawn(process.execPath, [...(process.env.BENCH_PROFILE_PROXY && name === 'proxies' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_PROXY}`] : []), BIN, 'serve', file, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', (line) => done(JSON.parse(line) as World));
    child.once('close', (code) => fail(new Error(`serve ${name} exited ${code} before printing its world: ${stderr.trim()}`)));
  });
}

function run(url: string): Promise<autocannon.Result> {
  return new Promise((done, fail) => autocannon({ url, connections, duration: seconds }, (err, r) => (err ? fail(err) : done(r))));
}

try {
  const upstream = await serve('upstream', UPSTREAM);
  const world = await serve('proxies', proxies(upstream));
  const names = Object.keys(LABELS).filter((n) => world.services[n]?.url);
  const url = (name: string) => `${world.services[name]!.url}/hello/world`;
  for (const name of names) await run(url(name)); // warm the keep-alive pools
  const results: Record<string, autocannon.Result[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another party: none is always first after a pause.
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) results[name]!.push(await run(url(name)));
  }
  const rps = (name: string) => results[name]!.map((r) => r.requests.average);
  const p99 = (name: string) => results[name]!.map((r) => r.latency.p99);
  console.log(`GET /hello/world through a client-certificate proxy to the same mTLS upstream, ${connections} connections, ${seconds}s a run, ${rounds} rounds (median, and each round):`);
  for (const name of names) {
    const bad = results[name]!.reduce((n, r) => n + r.non2xx + r.errors, 0);
    console.log(`  ${LABELS[name]!.padEnd(20)} ${median(rps(name)).toFixed(0).padStart(6)} req/s (${rps(name).map((v) => v.toFixed(0)).join(', ')})   p99 ${median(p99(name))} ms   non-2xx and errors ${bad}`);
  }
  if (names.includes('ours')) {
    for (const name of names.filter((n) => n !== 'ours')) {
      const ratios = rps('ours').map((v, i) => v / rps(name)[i]!);
      console.log(`  ratio certharness / ${LABELS[name]}: ${median(ratios).toFixed(2)} x throughput (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})${name === 'nginxTuned' ? ', aim: at least 0.8' : ''}; p99 ${(median(p99('ours')) / Math.max(1, median(p99(name)))).toFixed(2)} x`);
    }
  }
  if (names.length === 1) console.log('  nginx not found (apt-get install nginx-light): no ratio');
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
