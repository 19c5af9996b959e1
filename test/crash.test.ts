// The last resort: an error nothing catches, in the middle of a run with a real nginx up, tears
// the world down first (nginx stopped, the work directory with its keys removed) and then exits
// 3 with one line. The fault is injected from outside the program (node --import), once a step
// has signalled that the world is up.
import t from 'tap';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN, needPeer, processesMentioning, scratchDir, writeNginxHoldScenario } from './helpers.ts';


t.test('an uncaught error tears down first, then exit 3 with one line', async (t) => {
  if (!needPeer(t, 'nginx')) return;
  const tmp = scratchDir(t, 'certharness-crash-');
  const work = join(tmp, 'tmp');
  const marker = join(tmp, 'world-is-up');
  const scenario = join(tmp, 'crash.yaml');
  writeNginxHoldScenario(scenario, marker, 'a harness bug in the middle of a run');
  // Throws once the marker exists: outside any handler, as a bug in a callback would.
  const inject = join(tmp, 'inject.mjs');
  writeFileSync(inject, `import { existsSync } from 'node:fs';\nconst t = setInterval(() => { if (existsSync(${JSON.stringify(marker)})) { clearInterval(t); throw new Error('injected fault'); } }, 20);\nt.unref();\n`);
  mkdirSync(work, { mode: 0o700 });
  const child = spawn(process.execPath, ['--import', inject, BIN, 'run', scenario], { env: { ...process.env, TMPDIR: work, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.resume();
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  t.equal(code, 3, 'exit 3');
  t.match(stderr, /internal error \(a bug; please report it\): injected fault; tearing down/, 'one line says what happened');
  t.notMatch(stderr, /\n\s+at /, 'no stack trace');
  t.strictSame(processesMentioning(work), [], 'nginx is gone');
  t.strictSame(readdirSync(work), [], 'the work directory (with its private keys) is removed');
});

