// Where the bundled suite's time goes: each scenario run alone in its own process, then the whole
// suite in one run as CI runs it. Wall and CPU time, median of N runs each; CPU counts the
// harness and every process it started and reaped (openssl, nginx, Pebble, python3...), read
// from this process's own children's times in /proc/self/stat, so the figures are Linux-only.
//
//   npm run build && node dist/bench/suite.js [runs] [scenario.yaml...]   (default 3 runs, all)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { median } from './median.ts';

const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'certharness');
/** One line on stderr and the exit status: a bench's refusal reads like the CLI's. */
function stop(message: string, status: number): never {
  console.error(`bench/suite: ${message}`);
  process.exit(status);
}

const runs = Number(process.argv[2] ?? 3);
if (!Number.isInteger(runs) || runs < 1) stop('usage: node dist/bench/suite.js [runs, a whole number from 1] [scenario.yaml...]', 2);
if (!existsSync('/proc/self/stat')) stop('needs /proc/self/stat for the CPU of the runs, so Linux', 2);
const named = process.argv.slice(3);
for (const file of named) if (!existsSync(file)) stop(`${file}: no such scenario file`, 2);
const scenarios = named.length > 0
  ? named.map((file) => resolve(file))
  : readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(root, 'scenarios', f));
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

// Fields 16 and 17 of /proc/self/stat: the user and system time of reaped children, in ticks.
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

interface Sample { wallMs: number; cpuMs: number }

function timeRun(files: string[]): Sample {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const r = spawnSync(process.execPath, [bin, 'run', ...files, '--reporter', 'tap'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  const wallMs = performance.now() - start;
  if (r.status !== 0) {
    // A failed run's time measures nothing: say which run and what failed, and stop.
    const failed = r.stdout.split('\n').filter((line) => line.startsWith('not ok')).join('\n');
    process.stderr.write(`${failed}\n${r.stderr}`);
    stop(`run ${files.map((f) => relative(root, f)).join(' ')} exited ${r.status}; no figures`, 1);
  }
  return { wallMs, cpuMs: childrenCpuMs() - cpuBefore };
}

function medianOf(samples: Sample[]): Sample {
  return { wallMs: median(samples.map((s) => s.wallMs)), cpuMs: median(samples.map((s) => s.cpuMs)) };
}

const alone = new Map<string, Sample[]>(scenarios.map((file) => [file, []]));
const together: Sample[] = [];
for (let i = 0; i < runs; i++) {
  for (const file of scenarios) alone.get(file)!.push(timeRun([file]));
  together.push(timeRun(scenarios));
}

const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(6);
const rows = [...alone].map(([file, samples]) => ({ file: relative(root, file), ...medianOf(samples) }));
rows.sort((a, b) => b.cpuMs - a.cpuMs);
console.log(`bundled suite, median of ${runs} runs (${process.version}, ${process.platform}), seconds`);
console.log(`${'scenario, alone'.padEnd(46)} ${'wall'.padStart(6)} ${'CPU'.padStart(6)}`);
for (const row of rows) console.log(`${row.file.padEnd(46)} ${seconds(row.wallMs)} ${seconds(row.cpuMs)}`);
const sum = rows.reduce((acc, row) => ({ wallMs: acc.wallMs + row.wallMs, cpuMs: acc.cpuMs + row.cpuMs }), { wallMs: 0, cpuMs: 0 });
console.log(`${'sum of the above'.padEnd(46)} ${seconds(sum.wallMs)} ${seconds(sum.cpuMs)}`);
const whole = medianOf(together);
console.log(`${`all ${scenarios.length} in one run (default --jobs)`.padEnd(46)} ${seconds(whole.wallMs)} ${seconds(whole.cpuMs)}`);
console.log(`one run / sum alone: wall ${(whole.wallMs / sum.wallMs).toFixed(2)}x, CPU ${(whole.cpuMs / sum.cpuMs).toFixed(2)}x`);
