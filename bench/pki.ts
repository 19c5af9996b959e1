// Creating document 001's PKI (CA RSA-4096, server and client RSA-1024, keys encrypted with
// des3, both certificates signed with serial 01): certharness's PKI engine against the same
// openssl commands run as separate processes, as a person following the document would.
// Side by side in one run, alternating, median of N runs each; prints the ratio. A third
// measurement, one RSA-4096 key pair alone (node:crypto, the same OpenSSL prime search), is the
// floor: no way of making this PKI is faster than its slowest key.
//
//   npm run build && node dist/bench/pki.js [runs]      (default 7 runs)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { buildPki } from '../src/pki/build.ts';
import { median } from './median.ts';

const runs = Number(process.argv[2] ?? 7);

async function ours(dir: string): Promise<void> {
  await buildPki(
    {
      ca: { kind: 'default', spec: { subject: '/C=US/O=Example/CN=Example CA', key: 'rsa-4096', days: 365, keyPassword: 'secret' } },
      server: { kind: 'default', spec: { issuer: 'ca', subject: '/CN=127.0.0.1', key: 'rsa-1024', serial: '01', days: 365, keyPassword: 'secret', csr: true } },
      client: { kind: 'default', spec: { issuer: 'ca', subject: '/CN=api-client', key: 'rsa-1024', serial: '01', days: 365, usage: 'client', keyPassword: 'secret', csr: true } },
    },
    { workDir: dir, scenarioDir: dir },
  );
}

const OPENSSL_LINES = [
  'genrsa -des3 -passout pass:secret -out ca.key 4096',
  'req -new -x509 -days 365 -key ca.key -passin pass:secret -subj /C=US/O=Example/CN=Example_CA -out ca.crt',
  'genrsa -des3 -passout pass:secret -out server.key 1024',
  'req -new -key server.key -passin pass:secret -subj /CN=127.0.0.1 -out server.csr',
  'x509 -req -days 365 -in server.csr -CA ca.crt -CAkey ca.key -passin pass:secret -set_serial 01 -out server.crt',
  'genrsa -des3 -passout pass:secret -out client.key 1024',
  'req -new -key client.key -passin pass:secret -subj /CN=api-client -out client.csr',
  'x509 -req -days 365 -in client.csr -CA ca.crt -CAkey ca.key -passin pass:secret -set_serial 01 -out client.crt',
];

function openssl(dir: string): void {
  for (const line of OPENSSL_LINES) {
    const r = spawnSync('openssl', line.split(' '), { cwd: dir, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`openssl ${line} failed`);
  }
}

async function rsa4096Alone(): Promise<void> {
  await promisify(generateKeyPair)('rsa', { modulusLength: 4096 });
}


const times = { certharness: [] as number[], openssl: [] as number[], rsa4096: [] as number[] };
for (let i = 0; i < runs; i++) {
  for (const [name, fn] of [['certharness', ours], ['openssl', openssl], ['rsa4096', rsa4096Alone]] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-pki-'));
    const t0 = performance.now();
    await fn(dir);
    times[name].push(performance.now() - t0);
    rmSync(dir, { recursive: true, force: true });
  }
}
const a = median(times.certharness);
const b = median(times.openssl);
console.log(`document 001 PKI, median of ${runs} runs each (RSA key generation dominates and varies run to run):`);
console.log(`  certharness (in process, keys in parallel)  ${a.toFixed(0)} ms   [${times.certharness.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`  openssl (8 processes, in sequence)          ${b.toFixed(0)} ms   [${times.openssl.map((x) => x.toFixed(0)).join(', ')}]`);
const floor = median(times.rsa4096);
console.log(`  one RSA-4096 key pair alone (the floor)     ${floor.toFixed(0)} ms   [${times.rsa4096.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`  ratio certharness / openssl: ${(a / b).toFixed(2)} (aim: at most 0.50)`);
console.log(`  ratio floor / openssl: ${(floor / b).toFixed(2)} (the best any tool could reach); certharness / floor: ${(a / floor).toFixed(2)}`);
