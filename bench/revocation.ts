// Revocation at scale: a CA with 10,000 revoked serials. Side by side in one run:
//   - CRL generation: certharness's currentCrl against `openssl ca -gencrl` over an index.txt
//     holding the same 10,000 revocations (median of N each, alternating);
//   - OCSP: the `ocsp` service against `openssl ocsp -index` as a responder, each in a process of
//     its own, answering the same client (a new connection per request, as openssl's responder
//     closes each), at concurrency 1 and 4; openssl's responder gets `-multi` with as many
//     children as the concurrency, ours is one process.
//
// openssl ocsp -port listens on every interface and cannot be told otherwise, so the bench runs
// itself in a network namespace of its own (unshare -rn) whose only interface is loopback; where
// that is not possible the openssl responder is left out, and the bench says so.
//
//   npm run build && node dist/bench/revocation.js [runs] [requests]     (default 5 runs, 2000 requests)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { buildPki, type CertificateItem } from '../src/pki/build.ts';
import { Revocations } from '../src/pki/revocations.ts';
import { issueCrl, signingCas } from '../src/pki/crl.ts';
import { ocspRequest } from '../src/pki/revocation-check.ts';
import { ocspService } from '../src/services/ocsp/index.ts';
import { daemonPort } from '../src/net/daemon-port.ts';
import { exportPrivateKey } from '../src/pki/keys.ts';
import { x509 } from '../src/pki/crypto.ts';
import { median } from './median.ts';

const NETNS = 'CERTHARNESS_BENCH_NETNS';
if (!process.env[NETNS]) {
  const inner = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, [NETNS]: '1' } });
  if (inner.status === 0) process.exit(0);
  if (inner.error || inner.status === 1) console.log(`no network namespace (unshare -rn: ${inner.error?.message ?? 'refused'}): openssl's OCSP responder, which binds every interface, is left out`);
  else process.exit(inner.status ?? 1);
}
const isolated = process.env[NETNS] === '1';

// The responder process: the CA and its 10,000 revocations, loaded from the bench's files.
if (process.argv[2] === '--responder') {
  const d = process.argv[3]!;
  const loaded = await buildPki(
    { ca: { kind: 'default', spec: { certFile: join(d, 'ca.crt'), keyFile: join(d, 'ca.key') } }, leaf: { kind: 'default', spec: { certFile: join(d, 'leaf.crt') } } },
    { workDir: d, scenarioDir: d },
  );
  const list = new Revocations(new Date());
  for (const serialHex of readFileSync(join(d, 'serials.txt'), 'utf8').trim().split('\n')) await list.revoke('ca', { serialHex, date: new Date(), reason: x509.X509CrlReason.keyCompromise }, new Date());
  const running = await ocspService.start({}, { name: 'ocsp', workDir: d, host: '127.0.0.1', signal: new AbortController().signal, env: process.env, log: () => {}, pki: loaded, services: {}, scenarioDir: d, revocations: list });
  console.log(String(running.props.url));
  process.on('SIGTERM', () => process.exit(0));
  await new Promise(() => {});
}

const runs = Number(process.argv[2] ?? 5);
const requests = Number(process.argv[3] ?? 2000);
const REVOKED = 10_000;

const dir = mkdtempSync(join(tmpdir(), 'bench-revocation-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const pki = await buildPki(
  {
    ca: { kind: 'default', spec: { subject: '/CN=Bench CA', key: 'ec-p256', days: 365 } },
    leaf: { kind: 'default', spec: { issuer: 'ca', subject: '/CN=leaf', key: 'ec-p256', days: 30, usage: 'client' } },
  },
  { workDir: dir, scenarioDir: dir },
);
const ca = signingCas(pki).get('ca')!;
const leaf = pki.leaf as CertificateItem;
const now = new Date();
const revocations = new Revocations(now);
// 10,000 serials, the asked-about leaf among them.
const serials = Array.from({ length: REVOKED - 1 }, (_, i) => (0x100000 + i).toString(16)).concat(leaf.certificate.serialNumber);
for (const serialHex of serials) await revocations.revoke('ca', { serialHex, date: now, reason: x509.X509CrlReason.keyCompromise }, now);

// openssl's CA database: one revoked line per serial (V/R, expiry, revocation,reason, serial, file, DN).
const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
const expiry = stamp(new Date(now.getTime() + 30 * 86_400_000));
writeFileSync(join(dir, 'index.txt'), serials.map((s) => `R\t${expiry}\t${stamp(now)},keyCompromise\t${s.toUpperCase().padStart(2, '0')}\tunknown\t/CN=leaf\n`).join(''));
writeFileSync(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
writeFileSync(join(dir, 'crlnumber'), '01\n');
writeFileSync(join(dir, 'ca.crt'), ca.certificate.toString('pem'));
writeFileSync(join(dir, 'ca.key'), exportPrivateKey(ca.key), { mode: 0o600 });
writeFileSync(join(dir, 'leaf.crt'), leaf.certificate.toString('pem'));
writeFileSync(join(dir, 'serials.txt'), serials.join('\n') + '\n');
writeFileSync(
  join(dir, 'ca.cnf'),
  `[ca]\ndefault_ca = bench\n[bench]\ndatabase = ${join(dir, 'index.txt')}\ncrlnumber = ${join(dir, 'crlnumber')}\ncertificate = ${join(dir, 'ca.crt')}\nprivate_key = ${join(dir, 'ca.key')}\ndefault_md = sha256\ndefault_crl_days = 7\n`,
);

// ---- CRL generation
const crlTimes = { certharness: [] as number[], openssl: [] as number[] };
for (let i = 0; i < runs; i++) {
  let t0 = performance.now();
  const crl = await issueCrl({ issuer: ca, revoked: [...revocations.list('ca')], thisUpdate: now, nextUpdate: new Date(now.getTime() + 7 * 86_400_000), hash: 'sha256', number: i + 2 });
  crlTimes.certharness.push(performance.now() - t0);
  if (i === 0 && crl.entries.length !== REVOKED) throw new Error(`our CRL lists ${crl.entries.length}`);
  t0 = performance.now();
  const r = spawnSync('openssl', ['ca', '-gencrl', '-config', join(dir, 'ca.cnf'), '-out', join(dir, 'openssl.crl')], { stdio: ['ignore', 'ignore', 'pipe'] });
  crlTimes.openssl.push(performance.now() - t0);
  if (r.status !== 0) throw new Error(`openssl ca -gencrl: ${r.stderr}`);
}
const listed = spawnSync('sh', ['-c', `openssl crl -in ${join(dir, 'openssl.crl')} -noout -text | grep -c 'Serial Number'`], { encoding: 'utf8' }).stdout.trim();
if (Number(listed) !== REVOKED) throw new Error(`openssl's CRL lists ${listed}`);

// ---- OCSP
const request = Buffer.from(ocspRequest(leaf.certificate, ca.certificate).der);
const agent = new http.Agent({ keepAlive: false });

function ask(url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/ocsp-request', 'content-length': request.length } }, (res) => {
      let size = 0;
      res.on('data', (d: Buffer) => (size += d.length));
      res.on('end', () => (res.statusCode === 200 && size > 0 ? resolve(size) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(request);
  });
}

async function throughput(url: URL, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < requests) await ask(url);
  }));
  return (requests / (performance.now() - t0)) * 1000;
}

async function ours(): Promise<{ url: URL; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [process.argv[1]!, '--responder', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: new URL(url), stop: async () => void child.kill('SIGTERM') };
}

async function openssl(concurrency: number): Promise<{ url: URL; stop: () => Promise<void> }> {
  const port = await daemonPort('127.0.0.1');
  const child = spawn('openssl', ['ocsp', '-index', join(dir, 'index.txt'), '-port', String(port), '-rsigner', join(dir, 'ca.crt'), '-rkey', join(dir, 'ca.key'), '-CA', join(dir, 'ca.crt'), '-multi', String(concurrency), '-ignore_err'], { stdio: 'ignore' });
  const url = new URL(`http://127.0.0.1:${port}/`);
  for (let i = 0; i < 200; i++) {
    if (await ask(url).then(() => true, () => false)) break;
    await delay(25);
  }
  return { url, stop: async () => void child.kill('SIGTERM') };
}

const rates: Record<string, { certharness: number[]; openssl: number[] }> = {};
for (const concurrency of [1, 4]) {
  const r = (rates[`c${concurrency}`] = { certharness: [] as number[], openssl: [] as number[] });
  for (let i = 0; i < runs; i++) {
    const responders: [keyof typeof r, () => Promise<{ url: URL; stop: () => Promise<void> }>][] = [['certharness', ours]];
    if (isolated) responders.push(['openssl', () => openssl(concurrency)]);
    for (const [name, start] of responders) {
      const server = await start();
      await throughput(server.url, concurrency); // warm-up pass, not counted
      r[name].push(await throughput(server.url, concurrency));
      await server.stop();
    }
  }
}

const crlOurs = median(crlTimes.certharness);
const crlTheirs = median(crlTimes.openssl);
console.log(`CRL of ${REVOKED} revoked serials, median of ${runs}: certharness ${crlOurs.toFixed(1)} ms, openssl ca -gencrl ${crlTheirs.toFixed(1)} ms (process included): ratio ${(crlOurs / crlTheirs).toFixed(2)}`);
for (const [c, r] of Object.entries(rates)) {
  const a = median(r.certharness);
  const b = isolated ? median(r.openssl) : Number.NaN;
  console.log(`OCSP answers/s at concurrency ${c.slice(1)} (${requests} requests, a connection each, median of ${runs}): certharness ${a.toFixed(0)}${isolated ? `, openssl ocsp -index ${b.toFixed(0)}: ratio ${(a / b).toFixed(2)}` : ''}`);
}
