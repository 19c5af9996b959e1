// Issuances per second and server CPU time per certificate: certharness's ACME CA against the
// real Pebble, the same client (ours) driving both, at concurrency 1 and 16, with
// PEBBLE_VA_ALWAYS_VALID=1 and PEBBLE_VA_NOSLEEP=1 on both. Each server runs as its own
// process; its CPU time is read from /proc/<pid>/stat before and after. Prints ratios.
//
//   npm run build && node dist/bench/acme.js [certificates per run] [rounds]   (default 48, 3 rounds)
//   BENCH_PROFILE_ACME=DIR writes a CPU profile of certharness's CA to DIR (node --cpu-prof).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcmeClient } from '../src/clients/acme/client.ts';
import { issueCertificate } from '../src/clients/acme/issue.ts';
import type { ChallengeResponder } from '../src/clients/acme/responders.ts';
import { startDaemon, waitForPort, type Daemon } from '../src/clients/daemon.ts';
import { daemonPort } from '../src/net/daemon-port.ts';
import { listenerIdentity } from '../src/services/acme/listener-identity.ts';
import { generateKey, type PrivateKeyMaterial } from '../src/pki/keys.ts';
import { which } from '../src/runtime/index.ts';
import { median } from './median.ts';

const perRun = Number(process.argv[2] ?? 48);
const rounds = Number(process.argv[3] ?? 3);
if (![perRun, rounds].every((n) => Number.isInteger(n) && n >= 1)) {
  console.error('usage: node dist/bench/acme.js [certificates per run] [rounds], each a whole number from 1');
  process.exit(2);
}
const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s
const env = { ...process.env, PEBBLE_VA_ALWAYS_VALID: '1', PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' };

/** With PEBBLE_VA_ALWAYS_VALID nobody needs to answer: the challenge is only POSTed. */
const nobody: ChallengeResponder = { type: 'http-01', hits: 0, present: async () => {}, cleanup: async () => {}, close: async () => {} };

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
}

interface Server {
  name: string;
  directoryUrl: string;
  ca: string;
  daemon: Daemon;
}

async function startServer(name: 'certharness' | 'pebble', dir: string): Promise<Server> {
  const [port, mgmt] = [await daemonPort('127.0.0.1'), await daemonPort('127.0.0.1')];
  const id = await listenerIdentity(new Date());
  writeFileSync(join(dir, `${name}-cert.pem`), id.cert);
  writeFileSync(join(dir, `${name}-key.pem`), id.key, { mode: 0o600 });
  const config = join(dir, `${name}.json`);
  writeFileSync(config, JSON.stringify({ pebble: { listenAddress: `127.0.0.1:${port}`, managementListenAddress: `127.0.0.1:${mgmt}`, certificate: join(dir, `${name}-cert.pem`), privateKey: join(dir, `${name}-key.pem`), httpPort: 5002, tlsPort: 5001 } }));
  const profile = process.env.BENCH_PROFILE_ACME ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_ACME}`] : [];
  const argv = name === 'pebble' ? ['pebble', '-config', config] : [process.execPath, ...profile, join(import.meta.dirname, '..', '..', 'bin', 'certharness'), 'serve', 'acme', '--config', config];
  const daemon = startDaemon(argv, { cwd: dir, env });
  await waitForPort(daemon, '127.0.0.1', port, 20_000);
  return { name, directoryUrl: `https://localhost:${port}/dir`, ca: id.ca, daemon };
}

interface Measured {
  perSecond: number;
  cpuMsPerCert: number;
  /** HTTPS requests the client sent per certificate: the same client makes the same requests of both, unless a server makes it poll more. */
  requestsPerCert: number;
}

async function measure(server: Server, concurrency: number): Promise<Measured> {
  // One account per worker, made before the clock starts, and one certificate key per worker.
  const workers = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const client = new AcmeClient({ directoryUrl: server.directoryUrl, accountKey: await generateKey('ec-p256'), ca: server.ca, pollMinMs: 5, pollMaxMs: 50 });
      await client.newAccount({ termsOfServiceAgreed: true });
      return { client, key: await generateKey('ec-p256') as PrivateKeyMaterial };
    }),
  );
  let next = 0;
  const requests = () => workers.reduce((n, w) => n + w.client.stats.requests, 0);
  const requestsBefore = requests();
  const cpuBefore = cpuSeconds(server.daemon.pid);
  const started = performance.now();
  await Promise.all(
    workers.map(async (w, i) => {
      while (next < perRun) {
        const n = next++;
        await issueCertificate(w.client, { names: [`bench-${concurrency}-${i}-${n}.example.org`], responder: nobody, certificateKey: w.key });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.daemon.pid) - cpuBefore;
  const sent = requests() - requestsBefore;
  await Promise.all(workers.map((w) => w.client.close()));
  return { perSecond: perRun / seconds, cpuMsPerCert: (cpu * 1000) / perRun, requestsPerCert: sent / perRun };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-acme-'));
const servers: Server[] = [];
// The servers are processes of their own: on Ctrl-C, or a timeout's SIGTERM, stop them too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all(servers.map((s) => s.daemon.stop()))
      .finally(() => rmSync(dir, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  });
}
try {
  servers.push(await startServer('certharness', dir));
  if (which('pebble')) servers.push(await startServer('pebble', dir));
  else console.log('pebble not found (apt-get install pebble): measuring certharness alone');
  for (const s of servers) await measure(s, 4); // warm up: JIT, TLS sessions, key imports
  // Rounds that take the servers in turn: a slow moment of the machine falls on each alike.
  const samples: Record<string, Record<number, Measured[]>> = Object.fromEntries(servers.map((s) => [s.name, { 1: [], 16: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const c of [1, 16]) for (const s of round % 2 ? [...servers].reverse() : servers) samples[s.name]![c]!.push(await measure(s, c));
  }
  const mid = (name: string, c: number, key: keyof Measured) => median(samples[name]![c]!.map((m) => m[key]));
  console.log(`\n${perRun} certificates per run, same client, PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1, medians of ${rounds} rounds\n`);
  console.log('server        concurrency   certs/s   server CPU ms/cert   requests/cert');
  for (const s of servers) for (const c of [1, 16]) console.log(`${s.name.padEnd(14)}${String(c).padStart(11)}${mid(s.name, c, 'perSecond').toFixed(1).padStart(10)}${mid(s.name, c, 'cpuMsPerCert').toFixed(2).padStart(21)}${mid(s.name, c, 'requestsPerCert').toFixed(1).padStart(16)}`);
  if (samples.pebble) {
    console.log("\nratios certharness / pebble, the median of each round's pair (throughput: higher is better; CPU: lower is better)");
    for (const c of [1, 16]) {
      const ratios = (key: keyof Measured) => samples.certharness![c]!.map((m, i) => m[key] / samples.pebble![c]![i]![key]);
      const shown = (key: keyof Measured) => `${median(ratios(key)).toFixed(2)}x (${ratios(key).map((r) => r.toFixed(2)).join(', ')})`;
      console.log(`  concurrency ${String(c).padStart(2)}: throughput ${shown('perSecond')}, CPU per certificate ${shown('cpuMsPerCert')}`);
    }
  }
} finally {
  for (const s of servers) await s.daemon.stop();
  rmSync(dir, { recursive: true, force: true });
}
