// SIGKILL cannot be caught, so the harness cannot tear down: the kernel stops its daemons
// (each is started with a parent-death signal), and the next run removes the work directory
// the killed one left, with its private keys.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { BIN, needPeer, runCli, processesMentioning, scratchDir, writeNginxHoldScenario } from './helpers.ts';


/** Polls until `done()` holds or the bound passes; returns whether it held. */
async function eventually(done: () => boolean, boundMs: number): Promise<boolean> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > boundMs) return false;
    await delay(50);
  }
  return true;
}

t.test('SIGKILL: nginx follows the harness, and the next run removes the work directory', async (t) => {
  if (!needPeer(t, 'nginx')) return;
  const tmp = scratchDir(t, 'certharness-sigkill-');
  const work = join(tmp, 'work');
  mkdirSync(work, { mode: 0o700 });
  const marker = join(tmp, 'up');
  const scenario = join(tmp, 'killed.yaml');
  writeNginxHoldScenario(scenario, marker, 'killed mid-run');
  const child = spawn(process.execPath, [BIN, 'run', scenario], { env: { ...process.env, TMPDIR: work }, stdio: 'ignore' });
  const closed = new Promise((done) => child.on('close', done));
  t.ok(await eventually(() => existsSync(marker), 60_000), 'the world is up');
  t.ok(processesMentioning(work).length > 0, 'nginx runs inside the work directory');
  child.kill('SIGKILL');
  await closed;
  t.ok(await eventually(() => processesMentioning(work).length === 0, 10_000), 'nginx is gone soon after the harness');
  t.equal(readdirSync(work).filter((d) => d.startsWith('certharness-')).length, 1, 'the killed run left its work directory');

  const dry = await runCli(['clean', '--dir', work]);
  t.match(dry.stdout, /^removed .*certharness-/m, '`certharness clean` removes it');
  t.strictSame(readdirSync(work), [], 'gone');

  // Once more, killed again; this time the next run cleans up.
  rmSync(marker, { force: true });
  const again = spawn(process.execPath, [BIN, 'run', scenario], { env: { ...process.env, TMPDIR: work }, stdio: 'ignore' });
  const closedAgain = new Promise((done) => again.on('close', done));
  t.ok(await eventually(() => existsSync(marker), 60_000), 'the world is up again');
  again.kill('SIGKILL');
  await closedAgain;
  t.ok(await eventually(() => processesMentioning(work).length === 0, 10_000), 'nginx is gone again');
  const passing = join(tmp, 'next.yaml');
  writeFileSync(passing, 'scenario: the next run\nsteps:\n  - sleep: 1ms\n');
  const r = await runCli(['run', passing], { env: { TMPDIR: work } });
  t.equal(r.code, 0);
  t.strictSame(readdirSync(work), [], 'the next run removed it');
});

t.test("SIGKILL: a running step's process and its shell's children follow the harness", async (t) => {
  const tmp = scratchDir(t, 'certharness-sigkill-');
  const marker = join(tmp, 'step-up');
  const scenario = join(tmp, 'held.yaml');
  // The step's shell starts a shell of its own, and that one a sleep: every one of them mentions the marker.
  writeFileSync(scenario, `scenario: a step killed mid-run\nsteps:\n  - exec: "touch '${marker}'; sh -c 'sleep 60; : ${marker}'; : '${marker}'"\n`);
  const child = spawn(process.execPath, [BIN, 'run', scenario], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
  const closed = new Promise((done) => child.on('close', done));
  t.ok(await eventually(() => existsSync(marker) && processesMentioning(marker).length >= 2, 60_000), 'the step and its child shell run');
  child.kill('SIGKILL');
  await closed;
  t.ok(await eventually(() => processesMentioning(marker).length === 0, 10_000), 'both are gone soon after the harness');
});
