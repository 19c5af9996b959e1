// p12 check on bundles the real openssl made, with the expected verdict per platform, and
// p12 convert producing what loads everywhere.
import t from 'tap';
import { join } from 'node:path';
import { runCli, runCliHere, tempDir, needPeer, sh } from './helpers.ts';

t.test('verdicts per platform on openssl-made bundles, and the fix', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = tempDir();
  const run = (...args: string[]) => sh(['openssl', ...args], { cwd: dir });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/CN=client', '-days', '30');
  const base = ['pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-name', 'client'];
  run(...base, '-out', 'modern.p12', '-passout', 'pass:pass');
  run(...base, '-legacy', '-out', 'legacy.p12', '-passout', 'pass:pass');
  run(...base, '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-out', 'compat.p12', '-passout', 'pass:pass');
  run(...base, '-nomac', '-out', 'nomac.p12', '-passout', 'pass:pass');
  run(...base, '-out', 'empty.p12', '-passout', 'pass:');
  // The verdicts in this process; `convert` and the wrong password below run end to end.
  const check = async (file: string, password: string, platforms: string) => runCliHere(['p12', 'check', join(dir, file), '--password', password, '--for', platforms]);
  const verdict = (out: string, platform: string) => new RegExp(`^  (ok  |FAIL) ${platform}\\b`, 'm').exec(out)?.[1]?.trim();
  const expected: [string, string, Record<string, string>][] = [
    ['modern.p12', 'pass', { macos: 'FAIL', 'curl-securetransport': 'FAIL', ios: 'ok', openssl3: 'ok', java: 'ok' }],
    ['legacy.p12', 'pass', { macos: 'ok', 'curl-securetransport': 'ok', openssl3: 'FAIL', openssl1: 'ok' }],
    ['compat.p12', 'pass', { macos: 'ok', 'curl-securetransport': 'ok', ios: 'ok', openssl3: 'ok', java: 'ok', windows: 'ok', android: 'ok' }],
    ['nomac.p12', 'pass', { macos: 'FAIL', openssl3: 'FAIL', nss: 'FAIL', gnutls: 'FAIL', java: 'ok' }],
    ['empty.p12', '', { macos: 'FAIL', ios: 'FAIL', openssl3: 'ok' }],
  ];
  for (const [file, pw, want] of expected) {
    const r = await check(file, pw, Object.keys(want).join(','));
    for (const [platform, v] of Object.entries(want)) t.equal(verdict(r.stdout, platform), v === 'ok' ? 'ok' : 'FAIL', `${file} on ${platform}`);
    t.equal(r.code, Object.values(want).includes('FAIL') ? 1 : 0, `${file}: exit code`);
  }
  const m = await check('modern.p12', 'pass', 'macos');
  t.match(m.stdout, /MAC: +sha256, 2048 iterations/);
  t.match(m.stdout, /-25264 MAC verification failed during PKCS12 import/);
  t.match(m.stdout, /fix: certharness p12 convert .*modern\.p12 .*modern-compat\.p12 --profile compat --password pass/);
  // The fix works: converted, it passes everywhere, and openssl reads it without -legacy.
  const conv = await runCli(['p12', 'convert', join(dir, 'legacy.p12'), join(dir, 'fixed.p12'), '--profile', 'compat', '--password', 'pass']);
  t.equal(conv.code, 0, conv.stderr);
  t.equal((await check('fixed.p12', 'pass', 'macos,openssl3,curl-securetransport,ios')).code, 0);
  t.equal(run('pkcs12', '-info', '-noout', '-in', 'fixed.p12', '-passin', 'pass:pass').code, 0);
  const wrong = await runCli(['p12', 'check', join(dir, 'modern.p12'), '--password', 'nope']);
  t.equal(wrong.code, 1, 'a wrong password is a finding about the bundle, not bad input');
  t.equal(wrong.stdout, `${join(dir, 'modern.p12')}: MAC verification failed (sha256, 2048 iterations): wrong password?\n`);
  t.equal(wrong.stderr, '');
});
