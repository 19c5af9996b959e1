// Long-running child processes for services (nginx, pebble...): started in their own process
// group, waited for until ready, stopped with SIGTERM then SIGKILL, all descendants included.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { describeHolders, heldByGroup, portHolders, type PortHolder } from './socket-owner.ts';

export interface Daemon {
  pid: number;
  /** stdout and stderr so far (the last 64 KiB). */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/**
 * Where util-linux's setpriv is there (Linux), a daemon is started through it with a
 * parent-death signal: killed with SIGKILL, the harness cannot stop it, so the kernel does.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
function tiedToUs(argv: string[]): string[] {
  return SETPRIV ? [SETPRIV, '--pdeathsig', 'SIGTERM', '--', ...argv] : argv;
}

export function startDaemon(argv: string[], o: { cwd: string; env: Record<string, string | undefined>; log?: (line: string) => void }): Daemon {
  const tied = tiedToUs(argv);
  const child: ChildProcess = spawn(tied[0]!, tied.slice(1), {
    cwd: o.cwd,
    env: Object.fromEntries(Object.entries(o.env).filter((e): e is [string, string] => e[1] !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let exited = false;
  const add = (d: Buffer) => {
    out = (out + d.toString('utf8')).slice(-65536);
    for (const line of d.toString('utf8').split('\n')) if (line.trim()) o.log?.(line);
  };
  child.stdout!.on('data', add);
  child.stderr!.on('data', add);
  const done = new Promise<void>((resolve) => child.on('close', () => ((exited = true), resolve())));
  child.on('error', (e) => add(Buffer.from(`cannot start ${argv[0]}: ${e.message}\n`)));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  return {
    pid: child.pid ?? -1,
    output: () => out,
    exited: () => exited,
    async stop() {
      if (exited) return;
      signal('SIGTERM');
      const killed = await Promise.race([done.then(() => true), delay(3000).then(() => false)]);
      if (!killed) {
        signal('SIGKILL');
        await done;
      }
    },
  };
}

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Fails when another program already listens on a port a service is to use, naming it. */
export function assertPortFree(port: number): void {
  const holders = portHolders(port);
  if (holders?.length) throw new Error(`port ${port} is already taken by ${describeHolders(holders)}: stop it, or pin another port`);
}

/**
 * Waits until the daemon's own process group listens on the port (or, where /proc cannot
 * tell, until the port accepts connections), the daemon exits, or the time is up. Something
 * else answering on the port does not count: that is someone else's server.
 */
export async function waitForPort(d: Daemon, host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const start = performance.now();
  let foreign: PortHolder[] = [];
  const tail = () => d.output().trim().split('\n').slice(-3).join(' | ');
  const held = () => (foreign.length ? `; port ${port} is held by ${describeHolders(foreign)}` : '');
  while (performance.now() - start < timeoutMs) {
    if (d.exited()) throw new Error(`exited before listening: ${tail()}${held()}`);
    if (await portOpen(host, port)) {
      if (heldByGroup(port, d.pid) !== false) return;
      foreign = portHolders(port) ?? [];
    }
    await delay(25);
  }
  throw new Error(`not listening on ${host}:${port} after ${timeoutMs}ms: ${tail()}${held()}`);
}
