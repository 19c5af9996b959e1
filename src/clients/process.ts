// Runs a child process and captures its output. The child gets its own process group so that
// a timeout or Ctrl-C ends it and everything it started (a shell's children too), and a SIGKILL
// of the harness does too (orphan-watch.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { unwatchGroup, watchGroup } from './orphan-watch.ts';

export interface ProcessResult {
  exit: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Set when the process could not be started (ENOENT, EACCES) or was stopped by us. */
  error?: { code: string; message: string };
}

export interface ProcessOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  stdin?: string | Buffer;
  signal?: AbortSignal;
  /** Output beyond this many bytes per stream is dropped (the child keeps running). */
  maxOutputBytes?: number;
}

const DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024;

export function runProcess(argv: string[], options: ProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    let child: ChildProcess;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    let stoppedBy: string | undefined;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        cwd: options.cwd,
        env: cleanEnv(options.env),
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (e) {
      resolvePromise({ exit: null, signal: null, stdout: '', stderr: '', durationMs: 0, error: { code: (e as NodeJS.ErrnoException).code ?? 'ESPAWN', message: (e as Error).message } });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) watchGroup(pid);
    const kill = (why: string) => {
      stoppedBy ??= why;
      killGroup(child, 'SIGTERM');
      // A child that ignores SIGTERM gets SIGKILL after a grace period.
      setTimeout(() => killGroup(child, 'SIGKILL'), 2000).unref();
    };
    const onAbort = () => kill(reasonOf(options.signal));
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout!.on('data', (d: Buffer) => {
      if (outBytes < limit) out.push(d);
      outBytes += d.length;
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (errBytes < limit) err.push(d);
      errBytes += d.length;
    });
    child.stdin!.on('error', () => {}); // the child may exit before reading its input
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    else child.stdin!.end();

    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      if (pid !== undefined) unwatchGroup(pid);
      options.signal?.removeEventListener('abort', onAbort);
      const result: ProcessResult = {
        exit: code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: performance.now() - started,
      };
      if (spawnError) {
        const code = spawnError.code ?? 'ESPAWN';
        result.error = { code, message: code === 'ENOENT' ? `command not found: ${argv[0]}` : `cannot run ${argv[0]}: ${spawnError.message}` };
      } else if (stoppedBy) {
        result.error = { code: stoppedBy === 'timeout' ? 'ETIMEDOUT' : 'EINTR', message: stoppedBy === 'timeout' ? `${argv[0]} did not finish in time and was stopped` : `${argv[0]} was stopped: ${stoppedBy}` };
      }
      resolvePromise(result);
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function reasonOf(signal: AbortSignal | undefined): string {
  const r = signal?.reason as { name?: string; message?: string } | string | undefined;
  if (r && typeof r === 'object' && r.name === 'TimeoutError') return 'timeout';
  return typeof r === 'string' ? r : r?.message ?? 'interrupted';
}

function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
