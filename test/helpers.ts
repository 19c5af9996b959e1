// Shared by the tests: where the project is, how to run the real CLI, and the peer rule
// (a missing openssl/xmllint/nginx skips a test with the fix, but fails it under CI).
import './untracked-children.ts';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peerAvailable } from '../src/runtime/index.ts';
import { PEER_HINTS } from '../src/cli/peers.ts';
import type { Test } from 'tap';
import type { RunResult } from '../src/runner/events.ts';

/** The repository root (tests run compiled from dist/test/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'certharness');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  return new Promise((done) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: env as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** The first line a child process writes on stdout: `serve --json`'s world, a server's port. */
export function firstLine(child: { stdout: NodeJS.ReadableStream | null }): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
  });
}

/** A temporary directory that is removed when the test ends: it may hold private keys. */
export function scratchDir(t: { teardown(fn: () => void): void }, prefix = 'certharness-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A scenario whose world holds a real nginx, and whose one step touches `marker` and then
 * waits: the moment to crash or kill the harness, and see what it leaves behind.
 */
export function writeNginxHoldScenario(file: string, marker: string, title: string): void {
  writeFileSync(
    file,
    `scenario: ${title}
pki:
  ca: { subject: "CN=Hold CA", key: ec-p256 }
  server: { issuer: ca, subject: "CN=localhost", san: [localhost], key: ec-p256 }
services:
  ng: { kind: nginx, role: terminator, cert: server }
steps:
  - exec: "touch '${marker}'; sleep 60"
`,
  );
}

/** Directories tempDir made in this process; they may hold private keys, so they go when it exits. */
const madeDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory that is removed when the test process exits (scratchDir: when the test ends). */
export function tempDir(prefix = 'certharness-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.add(dir);
  return dir;
}

interface PeerTest {
  // tap's t.skip(name) records a skipped test point; t.fail records a failure.
  skip(...args: any[]): unknown;
  fail(...args: any[]): unknown;
}

/** True when the program is there; otherwise skips (or fails under CI) and returns false. */
export function needPeer(t: PeerTest, program: string): boolean {
  if (peerAvailable(program, process.env)) return true;
  peerMissing(t, `${program} not found: ${PEER_HINTS[program] ?? `install ${program}`}`);
  return false;
}

/** A missing peer: skipped with the fix, or a failure under CI. */
export function peerMissing(t: PeerTest, why: string): void {
  if (process.env.CI) t.fail(`${why} (CI requires every peer)`);
  else t.skip(why);
}

export function sh(argv: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: opts.cwd, input: opts.input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Pids of processes whose command line mentions `text` (nginx runs with its prefix in the work directory). */
export function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/**
 * Standard output of a run refused as bad input: nothing ran, so the default TAP report holds
 * only `input` problems (or nothing).
 */
export function nothingRan(t: Test, stdout: string): void {
  t.notMatch(stdout, /^\s*ok \d+/m, 'no test passed: nothing ran');
  t.ok(stdout === '' || /^\s+not ok 1 - input /m.test(stdout), 'the report shows the input problems');
}

/**
 * Runs scenario files in this process, as `certharness run` does but without its start-up and
 * reporters: for tests that assert on verdicts. Returns the result and, per failed step, its
 * name and first assertion message, so a red test says which step failed and why.
 */
export async function runScenariosHere(files: string[], opts: { env?: Record<string, string | undefined> } = {}): Promise<{ result: RunResult; failures: string[] }> {
  const { createCatalog } = await import('../src/runner/catalog.ts');
  const { loadAll, runAll } = await import('../src/runner/run.ts');
  const { ReporterMultiplexer } = await import('../src/report/multiplexer.ts');
  const env = { ...process.env, ...opts.env };
  const catalog = createCatalog();
  const { loaded, problems } = loadAll(files.map((f) => resolve(ROOT, f)), catalog, env, {});
  if (problems.length) throw new Error(`not loadable: ${problems.map((p) => p.message).join('; ')}`);
  const result = await runAll(loaded, { catalog, reporters: new ReporterMultiplexer([]), signal: new AbortController().signal, env, stepTimeoutMs: 60_000, retries: 0, keep: false, requirePeers: Boolean(env.CI), peerHints: PEER_HINTS, jobs: 1, bail: false });
  const failures = result.scenarios.flatMap((s) => [
    ...s.problems.map((p) => `${s.title}: ${p.phase}: ${p.message}`),
    ...s.steps.filter((st) => st.status === 'failed').map((st) => `${s.title}: ${st.name}: ${st.assertions.find((a) => !a.ok)?.message ?? st.cause ?? 'failed'}`),
  ]);
  return { result, failures };
}

/**
 * A command line run in this process (cli/main.ts runCommand) with its output captured: for
 * tests of what a command prints and returns, where a process of its own adds only start-up
 * time. One end-to-end test per command still goes through runCli.
 *
 * `whileServing` is for the commands that serve until Ctrl-C: it is called with the first line
 * the command prints (serve --json's world), and when it resolves, the command is interrupted
 * as Ctrl-C would.
 */
export async function runCliHere(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; whileServing?: (firstLine: string) => Promise<void> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runCommand } = await import('../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const interrupt = new AbortController();
  let served: Promise<void> | undefined;
  const write = (s: string) => {
    stdout += s;
    const nl = stdout.indexOf('\n');
    if (opts.whileServing && !served && nl !== -1) {
      const serving = opts.whileServing;
      served = Promise.resolve().then(() => serving(stdout.slice(0, nl))).finally(() => interrupt.abort('SIGINT'));
    }
  };
  // A test file is one process whose tests run one at a time, so its directory can be lent.
  const home = process.cwd();
  if (opts.cwd) process.chdir(opts.cwd);
  try {
    const code = await runCommand(args, { env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdout: write, stderr: (s) => void (stderr += s), stdoutIsTTY: false, signal: interrupt.signal, cores: 2 });
    await served;
    return { code, stdout, stderr };
  } finally {
    process.chdir(home);
  }
}

/** Writes `text` as a scenario file in a scratch directory and validates it in this process: what bad input gets from the loader. */
export async function validateText(t: { teardown(fn: () => void): void }, text: string, name = 'scenario.yaml'): Promise<{ file: string; code: number; stdout: string; stderr: string }> {
  const file = join(scratchDir(t), name);
  writeFileSync(file, text);
  return { file, ...(await runCliHere(['validate', file])) };
}
