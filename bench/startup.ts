// How long the CLI takes to start and do one small thing, against `node -e 0` (the floor any
// Node program pays): --version, validate and run of a one-step scenario, pki lint of one
// certificate.
// Alternating, median of N runs each; prints each median and its ratio to bare Node.
//
//   npm run build && node dist/bench/startup.js [runs]      (default 11 runs)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './median.ts';

const runs = Number(process.argv[2] ?? 11);
const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'certharness');
const dir = mkdtempSync(join(tmpdir(), 'certharness-bench-startup-'));

const ca = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-subj', '/CN=Bench CA', '-days', '1'], { stdio: 'ignore' });
if (ca.status !== 0) throw new Error('openssl could not make the certificate pki lint reads');
writeFileSync(join(dir, 'one.yaml'), 'scenario: one\nsteps:\n  - exec: "true"\n');

const cases: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['--version', [bin, '--version']],
  ['validate one.yaml', [bin, 'validate', join(dir, 'one.yaml')]],
  ['run one.yaml', [bin, 'run', join(dir, 'one.yaml')]],
  ['pki lint ca.crt', [bin, 'pki', 'lint', join(dir, 'ca.crt')]],
];

const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of cases) {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: dir, stdio: 'ignore' });
    const ms = performance.now() - start;
    if (r.status !== 0 && name !== 'pki lint ca.crt') throw new Error(`${name} exited ${r.status}`);
    times.get(name)!.push(ms);
  }
}
rmSync(dir, { recursive: true, force: true });

const floor = median(times.get('node -e 0')!);
console.log(`startup, median of ${runs} runs (${process.version}, ${process.platform})`);
for (const [name] of cases) {
  const m = median(times.get(name)!);
  console.log(`${name.padEnd(20)} ${m.toFixed(0).padStart(6)} ms   ${(m / floor).toFixed(2)}x node -e 0`);
}
