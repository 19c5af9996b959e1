// The dated rules of the Web PKI in lint: SC-081's validity caps by issuance day, serverAuth
// alone from 2027-03-15 for public certificates, and a client certificate under a CA limited to
// other purposes, which the real openssl refuses as lint says.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey, type PrivateKeyMaterial } from '../src/pki/keys.ts';
import { issueCertificate, usageDefaults, type CertificateParams } from '../src/pki/certificate.ts';
import { lint } from '../src/pki/lint.ts';
import { needPeer, runCliHere, scratchDir } from './helpers.ts';
import type { x509 } from '../src/pki/crypto.ts';

const DAY = 86_400_000;
const key = await generateKey('ec-p256');
const root = await issueCertificate({ subject: [['CN', 'Root']], key, serialHex: '01', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z'), hash: 'sha256', subjectKeyIdentifier: true, authorityKeyIdentifier: false, ...usageDefaults('ca', 'ec') });
const signedBy = (issuer: x509.X509Certificate, issuerKey: PrivateKeyMaterial) => ({ subject: issuer.subjectName, key: issuerKey, certificate: issuer });

async function leaf(notBefore: string, days: number, extra: Partial<CertificateParams> = {}) {
  const from = new Date(`${notBefore}T00:00:00Z`);
  return issueCertificate({ subject: [['CN', 'example.org']], key, issuer: signedBy(root, key), serialHex: '0a', notBefore: from, notAfter: new Date(from.getTime() + days * DAY), hash: 'sha256', subjectKeyIdentifier: true, authorityKeyIdentifier: true, san: ['example.org'], ...usageDefaults('server', 'ec'), ...extra });
}

const ids = (c: x509.X509Certificate, publicTrust: boolean, now = new Date(c.notBefore.getTime() + DAY)) => lint({ files: [{ label: 'c', certificates: [c], role: 'server' }], now, publicTrust, expiringWithinDays: 0 }).map((f) => f.id);

t.test('SC-081: the cap is the one of the day the certificate was issued', async (t) => {
  const cases: [string, number, boolean][] = [
    ['2026-03-14', 398, false], ['2026-03-14', 399, true],
    ['2026-04-01', 200, false], ['2026-04-01', 201, true],
    ['2027-04-01', 100, false], ['2027-04-01', 101, true],
    ['2029-04-01', 47, false], ['2029-04-01', 48, true],
  ];
  for (const [issued, days, flagged] of cases) {
    t.equal(ids(await leaf(issued, days), true).includes('public-validity-too-long'), flagged, `issued ${issued}, ${days} days`);
  }
  t.notOk(ids(await leaf('2027-04-01', 200), false).some((id) => id.startsWith('public-')), 'without public trust the dated caps do not apply');
});

t.test('from 2027-03-15 a public server certificate asserts serverAuth alone', async (t) => {
  const both = { extendedKeyUsage: ['serverAuth', 'clientAuth'] as ('serverAuth' | 'clientAuth')[] };
  t.ok(ids(await leaf('2027-03-15', 45, both), true).includes('public-not-server-auth-only'));
  t.notOk(ids(await leaf('2027-03-14', 45, both), true).includes('public-not-server-auth-only'), 'the day before');
  t.notOk(ids(await leaf('2027-04-01', 45), true).includes('public-not-server-auth-only'), 'serverAuth alone');
  t.notOk(ids(await leaf('2027-04-01', 45, both), false).includes('public-not-server-auth-only'), 'a private CA may');
});

t.test('a client certificate under a CA limited to serverAuth: lint says so, and openssl refuses it', async (t) => {
  const day = new Date('2026-11-01T00:00:00Z');
  const ca = (eku?: ('serverAuth' | 'clientAuth')[]) =>
    issueCertificate({ subject: [['CN', `Intermediate ${eku?.join('+') ?? 'any'}`]], key, issuer: signedBy(root, key), serialHex: '02', notBefore: day, notAfter: new Date(day.getTime() + 365 * DAY), hash: 'sha256', subjectKeyIdentifier: true, authorityKeyIdentifier: true, ...usageDefaults('ca', 'ec'), ...(eku ? { extendedKeyUsage: eku } : {}) });
  const client = (inter: x509.X509Certificate) => issueCertificate({ subject: [['CN', 'client']], key, issuer: signedBy(inter, key), serialHex: '0b', notBefore: day, notAfter: new Date(day.getTime() + 90 * DAY), hash: 'sha256', subjectKeyIdentifier: true, authorityKeyIdentifier: true, ...usageDefaults('client', 'ec') });
  const dir = scratchDir(t);
  writeFileSync(join(dir, 'root.pem'), root.toString('pem'));
  for (const [eku, flagged] of [[['serverAuth'], true], [['serverAuth', 'clientAuth'], false], [undefined, false]] as const) {
    const inter = await ca(eku ? [...eku] : undefined);
    const c = await client(inter);
    const found = lint({ files: [{ label: 'client.pem', certificates: [c, inter] }], now: new Date(day.getTime() + DAY) }).map((f) => f.id);
    t.equal(found.includes('issuer-without-client-auth'), flagged, `intermediate with EKU ${eku?.join(', ') ?? '(none)'}`);
    if (!needPeer(t, 'openssl')) continue;
    writeFileSync(join(dir, 'inter.pem'), inter.toString('pem'));
    writeFileSync(join(dir, 'client.pem'), c.toString('pem'));
    const v = spawnSync('openssl', ['verify', '-purpose', 'sslclient', '-attime', String(Math.floor(day.getTime() / 1000) + 86_400), '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'inter.pem'), join(dir, 'client.pem')], { encoding: 'utf8' });
    t.equal(v.status !== 0, flagged, `openssl verify -purpose sslclient ${flagged ? 'refuses' : 'accepts'} it: ${(v.stdout + v.stderr).trim().split('\n').at(-1)}`);
    if (flagged) t.match(v.stdout + v.stderr, /error 26 at 1 depth lookup: unsuitable certificate purpose/, "refused at depth 1: the intermediate, not the leaf");
  }
});

t.test('pki lint --public --at on the command line; a date it cannot read is one line and exit 2', async (t) => {
  const dir = scratchDir(t);
  writeFileSync(join(dir, 'long.pem'), (await leaf('2027-04-01', 120)).toString('pem'));
  const r = await runCliHere(['pki', 'lint', join(dir, 'long.pem'), '--public', '--at', '2027-04-02']);
  t.equal(r.code, 1, r.stdout + r.stderr);
  t.match(r.stdout, /long\.pem: error public-validity-too-long: valid for 120 days, issued 2027-04-01: publicly trusted certificates issued from 2027-03-15 may be valid for at most 100 days/);
  t.notMatch(r.stdout, /not-yet-valid|expired/, '--at is the time validity is judged at');
  const bad = await runCliHere(['pki', 'lint', join(dir, 'long.pem'), '--at', 'next tuesday']);
  t.equal(bad.code, 2);
  t.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  t.match(bad.stderr, /--at next tuesday: expected a date/);
});
