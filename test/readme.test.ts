// The README's examples must work: its scenario runs, its pki block validates.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir, needPeer } from './helpers.ts';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([^]*?)```/g)].map((m) => m[1]!);

t.test('the README scenario runs and passes', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const scenario = blocks.find((b) => b.includes('scenario:'));
  t.ok(scenario, 'the README has a scenario');
  const file = join(tempDir(), 'readme.yaml');
  writeFileSync(file, scenario!);
  const r = await runCli(['run', file, '--reporter', 'tap']);
  t.equal(r.code, 0, r.stdout);
});

t.test('the README pki block is valid', async (t) => {
  const pki = blocks.find((b) => b.startsWith('pki:'));
  t.ok(pki);
  const dir = tempDir();
  writeFileSync(join(dir, 'site.crt'), '');
  const file = join(dir, 'pki.yaml');
  // The example loads certs/site.crt: point it at a file that exists so only the shape is checked.
  writeFileSync(file, `scenario: readme pki\n${pki!.replace(/certs\/site\.(crt|key)/g, 'site.crt')}steps: []\n`);
  const r = await runCli(['validate', file]);
  t.equal(r.code, 0, r.stderr);
});
