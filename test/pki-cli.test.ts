// `certharness pki lint|init` through the real CLI.
import t from 'tap';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliHere, tempDir, needPeer, sh } from './helpers.ts';

t.test('pki init writes each document profile, usable by openssl as its README says', async (t) => {
  const written: Record<string, string> = {};
  for (const profile of ['doc-001', 'doc-002', 'doc-003']) {
    const dir = join(tempDir(), 'certs');
    written[profile] = dir;
    // The first profile end to end, in a process of its own; the others in this one.
    const r = await (profile === 'doc-001' ? runCli : runCliHere)(['pki', 'init', dir, '--profile', profile]);
    t.equal(r.code, 0, r.stderr);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    t.match(readme, /^# Document 00\d/);
    t.equal(statSync(dir).mode & 0o777, 0o700);
    for (const line of r.stdout.trim().split('\n')) t.ok(existsSync(line), `${line} exists`);
    if (!needPeer(t, 'openssl')) continue;
    // Run the openssl lines the README gives.
    for (const cmd of readme.split('\n').filter((l) => l.startsWith('openssl '))) {
      const v = sh(['sh', '-c', cmd], { cwd: dir });
      t.equal(v.code, 0, `${profile}: ${cmd}: ${v.stderr}`);
    }
  }
  // Document 001's files again: its CA key is RSA-4096, so the directory above serves.
  const dir = written['doc-001']!;
  t.equal(statSync(join(dir, 'client.key')).mode & 0o777, 0o600);
  t.equal(statSync(join(dir, 'client.p12')).mode & 0o777, 0o600);
  const again = await runCliHere(['pki', 'init', dir, '--profile', 'doc-001']);
  t.equal(again.code, 2, 'existing files are not replaced without --force');
  t.match(again.stderr, /already exist; use --force to replace them\n$/);
  t.equal((await runCliHere(['pki', 'init', dir, '--profile', 'doc-001', '--force'])).code, 0);
  const bad = await runCliHere(['pki', 'init', dir, '--profile', 'doc-009']);
  t.equal(bad.stderr, 'certharness: --profile doc-009: use one of doc-001, doc-002, doc-003\n');
});

t.test('pki lint: findings, exit 1 on errors, 2 on unreadable input', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = tempDir();
  for (const n of ['a', 'b']) {
    sh(['openssl', 'req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', `${n}.key`, '-subj', `/CN=${n}.example.org`, '-set_serial', '01', '-out', `${n}.crt`, '-days', '3'], { cwd: dir });
  }
  const r = await runCli(['pki', 'lint', join(dir, 'a.crt'), join(dir, 'b.crt'), '--key', join(dir, 'b.key')]);
  t.equal(r.code, 1);
  t.match(r.stdout, /^a\.crt: error rsa-key-too-small: RSA key of 1024 bits/m);
  t.match(r.stdout, /^a\.crt: warning expiring-soon: expires in 2 days/m);
  t.match(r.stdout, /^a\.crt: error key-mismatch: the private key does not belong to the certificate/m);
  t.match(r.stdout, /error\(s\), \d+ warning\(s\)\n$/);
  const missing = await runCliHere(['pki', 'lint', join(dir, 'nope.crt')]);
  t.equal(missing.code, 2);
  t.equal(missing.stderr, `certharness: ${join(dir, 'nope.crt')}: no such file\n`);
  const notCert = await runCliHere(['pki', 'lint', join(dir, 'a.key')]);
  t.equal(notCert.code, 2);
  t.match(notCert.stderr, /a\.key: holds PRIVATE KEY, not a certificate\n$/);
});
