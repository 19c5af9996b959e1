// What is only known at run time stays inside the work directory too: a --var that climbs out,
// a symbolic link that leads out. The step fails with OUTSIDE_WORKDIR and nothing is written.
// A regex that backtracks forever in JavaScript finishes at once (RE2 semantics).
import t from 'tap';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCli, scratchDir } from './helpers.ts';
import { resolveWorkPath } from '../src/scenario/work-path.ts';

t.test('a --var and a symlink that lead out: the steps fail, nothing is written outside', async (t) => {
  const tmp = scratchDir(t, 'certharness-jail-');
  const outsideDir = join(tmp, 'outside');
  const workDir = join(tmp, 'work');
  for (const d of [outsideDir, workDir]) mkdirSync(d, { mode: 0o700 });
  const scenario = join(tmp, 'jail.yaml');
  writeFileSync(
    scenario,
    `scenario: run-time paths stay inside
vars: { out: x.crt }
pki:
  ca: { subject: "CN=Jail CA", key: ec-p256 }
  leaf: { issuer: ca, subject: "CN=leaf", key: ec-p256, csr: true }
steps:
  - name: a --var that climbs out
    sign-csr: { csr: "{{leaf.csrFile}}", ca: ca, out: "{{vars.out}}" }
    expect: { error: { code: OUTSIDE_WORKDIR } }
  - name: a link to a directory outside
    exec: "ln -s '${outsideDir}' link"
  - name: writing through the link
    sign-csr: { csr: "{{leaf.csrFile}}", ca: ca, out: link/y.crt }
    expect: { error: { code: OUTSIDE_WORKDIR } }
  - name: acme out through the link
    acme: { directory: "https://127.0.0.1:9/dir", names: [a.example.org], out: link, respond: false }
    expect: { error: { code: OUTSIDE_WORKDIR } }
  - name: a regex that backtracks exponentially in JavaScript
    exec: "printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'"
    expect: { stdout: { not: { matches: "^(a+)+$" } } }
`,
  );
  const climb = relative(workDir, join(outsideDir, 'x.crt'));
  const r = await runCli(['run', scenario, '--var', `out=../${climb}`, '--reporter', 'tap'], { env: { TMPDIR: workDir } });
  t.equal(r.code, 0, `every refusal is what the steps expect\n${r.stdout}${r.stderr}`);
  t.match(r.stdout, /ok 1 - a --var that climbs out/);
  t.strictSame(readdirSync(outsideDir), [], 'nothing was written outside');
});

t.test('resolveWorkPath: reads may be absolute, writes may not; links are followed', async (t) => {
  const work = scratchDir(t, 'certharness-jail-');
  t.equal(resolveWorkPath(work, 'a/b.crt', 'write'), join(work, 'a/b.crt'));
  t.equal(resolveWorkPath(work, join(work, 'c.crt'), 'write'), join(work, 'c.crt'), 'an absolute path inside ({{workDir}}/c.crt)');
  t.equal(resolveWorkPath(work, '/etc/hostname', 'read'), '/etc/hostname', "the user's own file, read-only");
  t.throws(() => resolveWorkPath(work, '/etc/passwd', 'write'), { code: 'OUTSIDE_WORKDIR' });
  t.throws(() => resolveWorkPath(work, '../x', 'read'), { code: 'OUTSIDE_WORKDIR' });
  t.throws(() => resolveWorkPath(work, 'a\0b', 'read'), { code: 'OUTSIDE_WORKDIR' });
});
