// Test files leave nothing in TMPDIR: the directories they make may hold private keys.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratchDir } from './helpers.ts';

for (const file of ['cause.test.js', 'lint.test.js', 'exchange.test.js']) {
  t.test(`${file} removes the temporary directories it made`, async (t) => {
    const tmp = scratchDir(t, 'certharness-tmpdir-');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'test', file)], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' });
    t.equal(r.status, 0, 'the test file passes', { output: r.stdout.slice(-600) });
    t.strictSame(readdirSync(tmp), [], 'and TMPDIR is as empty as before');
  });
}
