// Ctrl-C during a run: exit 130 after teardown, no child process survives, the port is free,
// the work directory is gone.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BIN, ROOT, tempDir } from './helpers.ts';
import { daemonPort } from '../src/net/daemon-port.ts';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ port, host: '127.0.0.1' });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** Running, not a zombie: in a container whose init does not reap, a killed orphan stays a zombie. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`${signal} during a step`, async (t) => {
    // Another process, the scenario's child, binds it.
    const port = await daemonPort('127.0.0.1');
    const dir = tempDir();
    const pidfile = join(dir, 'pids');
    const tmpRoot = tempDir('certharness-tmproot-');
    const child = spawn(process.execPath, [BIN, 'run', 'test/fixtures/scenarios/hold-port.yaml', '--var', `port=${port}`, '--var', `pidfile=${pidfile}`, '--reporter', 'tap'], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmpRoot },
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait until the grandchild listens.
    for (let i = 0; i < 200 && !(await listening(port)); i++) await delay(50);
    t.ok(await listening(port), 'the step started a listener');
    t.ok(readdirSync(tmpRoot).some((f) => f.startsWith('certharness-')), 'a work directory exists during the run');
    const pids = readFileSync(pidfile, 'utf8').trim().split('\n').map(Number);
    child.kill(signal);
    const code = await exited;
    t.equal(code, 130, 'exit code 130');
    await delay(200);
    for (const pid of pids) t.notOk(alive(pid), `process ${pid} is gone`);
    t.notOk(await listening(port), 'the port is free');
    t.strictSame(readdirSync(tmpRoot), [], 'the work directory was removed');
    t.match(stdout, /not ok 1 - a child process listens, then the step waits/, 'the interrupted step is reported');
    t.ok(existsSync(pidfile));
  });
}
