// How long `serve catalogue --json` takes to have every endpoint listening, against `serve
// upstream --json` (one endpoint) and bare Node: spawn to the first line on stdout, then Ctrl-C.
// Alternating, median of N runs each.
//
//   npm run build && node dist/bench/catalogue.js [runs]      (default 5 runs)
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { median } from './median.ts';

const runs = Number(process.argv[2] ?? 5);
const bin = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'certharness');
const cases: [string, string[]][] = [
  ['node -e (one line)', ['-e', 'console.log(1)']],
  ['serve upstream --json', [bin, 'serve', 'upstream', '--json']],
  ['serve catalogue --json', [bin, 'serve', 'catalogue', '--json']],
];

async function untilFirstLine(args: string[]): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const closed = new Promise((r) => child.on('close', r));
  await new Promise((r) => child.stdout.once('data', r));
  const ms = performance.now() - start;
  child.kill('SIGINT');
  await closed;
  return ms;
}

const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let i = 0; i < runs; i++) for (const [name, args] of cases) times.get(name)!.push(await untilFirstLine(args));
const one = median(times.get('serve upstream --json')!);
console.log(`time to listening, median of ${runs} runs (${process.version})`);
for (const [name] of cases) {
  const m = median(times.get(name)!);
  console.log(`${name.padEnd(24)} ${m.toFixed(0).padStart(6)} ms   ${(m / one).toFixed(2)}x serve upstream`);
}
