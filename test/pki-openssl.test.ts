// The PKI engine against the real openssl: what we write, openssl accepts; what openssl
// writes (as the documents run it), we read.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPki, type PkiDecl, type CertificateItem } from '../src/pki/build.ts';
import { loadPrivateKey, KeyError } from '../src/pki/keys.ts';
import { readPkcs12, Pkcs12Error } from '../src/pki/pkcs12/read.ts';
import { tempDir, needPeer, sh } from './helpers.ts';

const cert = (spec: Record<string, unknown>): PkiDecl => ({ kind: 'default', spec });

async function world(decls: Record<string, PkiDecl>) {
  const dir = tempDir();
  const items = await buildPki(decls, { workDir: dir, scenarioDir: dir });
  return { dir, items, p: (n: string) => items[n]!.props };
}

t.test('every key type: openssl parses the certificate and verifies root -> intermediate -> leaf', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  for (const key of ['rsa-2048', 'ec-p256', 'ec-p384', 'ed25519'] as const) {
    const { p } = await world({
      root: cert({ subject: 'CN=Root', key }),
      inter: cert({ issuer: 'root', subject: 'CN=Intermediate', usage: 'ca', pathlen: 0, key }),
      leaf: cert({ issuer: 'inter', subject: { C: 'FR', O: 'Example', OU: '.', CN: 'localhost', emailAddress: 'ops@example.org' }, san: ['localhost', '127.0.0.1', 'uri:spiffe://x/y'], key }),
    });
    const text = sh(['openssl', 'x509', '-in', p('leaf').certFile!, '-noout', '-text']);
    t.equal(text.code, 0, `${key}: x509 -text`);
    t.match(text.stdout, /Subject: C = FR, O = Example, CN = localhost, emailAddress = ops@example.org/, `${key}: subject, '.' left OU out`);
    t.match(text.stdout, /DNS:localhost, IP Address:127\.0\.0\.1, URI:spiffe:\/\/x\/y/);
    t.match(text.stdout, /TLS Web Server Authentication/);
    t.match(text.stdout, /X509v3 Authority Key Identifier/);
    const v = sh(['openssl', 'verify', '-CAfile', p('root').certFile!, '-untrusted', p('inter').certFile!, p('leaf').certFile!]);
    t.equal(v.code, 0, `${key}: chain verifies: ${v.stderr}`);
    t.equal(sh(['openssl', 'verify', '-CAfile', p('leaf').chainFile!, p('leaf').certFile!]).code, 0, `${key}: chainFile is what a verifier needs`);
    t.equal(readFileSync(p('leaf').fullchainFile!, 'utf8').match(/BEGIN CERTIFICATE/g)!.length, 2, 'fullchain: leaf + intermediate, no root');
  }
});

t.test('explicit serial, SHA-1, expired and not-yet-valid certificates as openssl sees them', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const { p } = await world({
    ca: cert({ subject: 'CN=CA' }),
    old: cert({ issuer: 'ca', subject: 'CN=old', usage: 'client', notBefore: '-30d', notAfter: '-1d' }),
    future: cert({ issuer: 'ca', subject: 'CN=future', notBefore: '+2d', days: 10 }),
    one: cert({ issuer: 'ca', subject: 'CN=one', serial: '01', hash: 'sha1' }),
    big: cert({ issuer: 'ca', subject: 'CN=big', serial: 'ff' }),
  });
  t.match(sh(['openssl', 'verify', '-CAfile', p('ca').certFile!, p('old').certFile!]).stdout + sh(['openssl', 'verify', '-CAfile', p('ca').certFile!, p('old').certFile!]).stderr, /certificate has expired/);
  t.match(sh(['openssl', 'verify', '-CAfile', p('ca').certFile!, p('future').certFile!]).stderr, /certificate is not yet valid/);
  t.equal(sh(['openssl', 'x509', '-in', p('one').certFile!, '-noout', '-serial']).stdout, 'serial=01\n');
  t.match(sh(['openssl', 'x509', '-in', p('one').certFile!, '-noout', '-text']).stdout, /Signature Algorithm: sha1WithRSAEncryption/);
  t.equal(sh(['openssl', 'x509', '-in', p('big').certFile!, '-noout', '-serial']).stdout, 'serial=FF\n', 'a high bit does not make the serial negative');
  t.match(p('old').notAfter!, /^\d{4}-/);
});

t.test('keys: encrypted PKCS#8 and the traditional Proc-Type form, read by openssl pkey', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const { p } = await world({
    ca: cert({ subject: 'CN=CA' }),
    a: cert({ issuer: 'ca', subject: 'CN=a', keyPassword: 'secret' }),
    b: cert({ issuer: 'ca', subject: 'CN=b', keyPassword: 'secret', keyFormat: 'pkcs1' }),
    c: cert({ issuer: 'ca', subject: 'CN=c', key: 'ec-p256', keyFormat: 'sec1' }),
  });
  t.match(readFileSync(p('a').keyFile!, 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  const trad = readFileSync(p('b').keyFile!, 'utf8');
  t.match(trad, /^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,[0-9A-F]{16}\n/);
  t.match(readFileSync(p('c').keyFile!, 'utf8'), /^-----BEGIN EC PRIVATE KEY-----/);
  for (const n of ['a', 'b']) {
    t.equal(sh(['openssl', 'pkey', '-in', p(n).keyFile!, '-passin', 'pass:secret', '-noout']).code, 0, `${n}: openssl pkey -passin`);
    t.not(sh(['openssl', 'pkey', '-in', p(n).keyFile!, '-passin', 'pass:wrong', '-noout']).code, 0, `${n}: a wrong password fails`);
  }
  t.equal(p('b').keyPassword, 'secret');
});

t.test('CSR: openssl req -verify accepts it, with the SAN requested', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const { p } = await world({ ca: cert({ subject: 'CN=CA' }), client: cert({ issuer: 'ca', subject: '/CN=api-client', usage: 'client', csr: true, san: ['client.example'] }) });
  const r = sh(['openssl', 'req', '-in', p('client').csrFile!, '-noout', '-verify', '-text']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout + r.stderr, /verify OK|self-signature ok/i);
  t.match(r.stdout, /DNS:client\.example/);
});

t.test('CRL: openssl crl reads it and verify -crl_check reports the revocation', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const { p } = await world({
    ca: cert({ subject: 'CN=CA' }),
    good: cert({ issuer: 'ca', subject: 'CN=good' }),
    bad: cert({ issuer: 'ca', subject: 'CN=bad', serial: '0badc0de' }),
    crl: { kind: 'crl', spec: { crl: 'ca', revoked: [{ item: 'bad', reason: 'keyCompromise' }] } },
  });
  const text = sh(['openssl', 'crl', '-in', p('crl').crlFile!, '-noout', '-text']);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /Serial Number: 0BADC0DE/);
  t.match(text.stdout, /Key Compromise/);
  t.match(text.stdout, /X509v3 CRL Number/);
  const bad = sh(['openssl', 'verify', '-crl_check', '-CRLfile', p('crl').crlFile!, '-CAfile', p('ca').certFile!, p('bad').certFile!]);
  t.match(bad.stdout + bad.stderr, /certificate revoked/);
  t.equal(sh(['openssl', 'verify', '-crl_check', '-CRLfile', p('crl').crlFile!, '-CAfile', p('ca').certFile!, p('good').certFile!]).code, 0);
});

t.test('PKCS#12: openssl pkcs12 -info sees each profile as specified', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const { p } = await world({
    ca: cert({ subject: 'CN=CA' }),
    client: cert({ issuer: 'ca', subject: 'CN=client', usage: 'client' }),
    modern: { kind: 'pkcs12', spec: { pkcs12: 'client', password: 'pass', name: 'client' } },
    legacy: { kind: 'pkcs12', spec: { pkcs12: 'client', password: 'pass', name: 'client', profile: 'legacy' } },
    compat: { kind: 'pkcs12', spec: { pkcs12: 'client', password: 'pass', profile: 'compat', chain: false } },
    nomac: { kind: 'pkcs12', spec: { pkcs12: 'client', password: 'pass', mac: 'none' } },
  });
  const info = (n: string, ...extra: string[]) => sh(['openssl', 'pkcs12', ...extra, '-info', '-noout', '-in', p(n).p12File!, '-passin', 'pass:pass']);
  const m = info('modern');
  t.equal(m.code, 0, m.stderr);
  t.match(m.stderr, /MAC: sha256, Iteration 2048/);
  t.match(m.stderr, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
  t.match(m.stderr, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
  t.not(info('legacy').code, 0, 'OpenSSL 3 without the legacy provider cannot read RC2-40');
  const l = info('legacy', '-legacy');
  t.equal(l.code, 0, l.stderr);
  t.match(l.stderr, /MAC: sha1, Iteration 2048/);
  t.match(l.stderr, /PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 2048/);
  t.match(l.stderr, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
  const c = info('compat');
  t.equal(c.code, 0, 'compat loads without the legacy provider');
  t.match(c.stderr, /PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC/);
  const n = sh(['openssl', 'pkcs12', '-info', '-noout', '-nomacver', '-in', p('nomac').p12File!, '-passin', 'pass:pass']);
  t.equal(n.code, 0);
  t.notMatch(n.stderr, /MAC:/);
  const out = sh(['openssl', 'pkcs12', '-in', p('modern').p12File!, '-passin', 'pass:pass', '-nodes']).stdout;
  t.match(out, /friendlyName: client\n\s+localKeyID: [0-9A-F ]+\n/);
  t.equal(out.match(/BEGIN CERTIFICATE/g)!.length, 2, 'leaf and CA');
  t.equal(sh(['openssl', 'pkcs12', '-in', p('compat').p12File!, '-passin', 'pass:pass', '-nokeys']).stdout.match(/BEGIN CERTIFICATE/g)!.length, 1, 'chain: false leaves the CA out');
});

t.test('we read what openssl writes: genrsa -des3 keys and every pkcs12 -export variant', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = tempDir();
  const run = (...args: string[]) => t.equal(sh(['openssl', ...args], { cwd: dir }).code, 0, `openssl ${args.join(' ')}`);
  run('genrsa', '-des3', '-passout', 'pass:secret', '-out', 'ca.key', '2048');
  run('genrsa', '-traditional', '-des3', '-passout', 'pass:secret', '-out', 'trad.key', '2048');
  run('req', '-new', '-x509', '-days', '365', '-key', 'ca.key', '-passin', 'pass:secret', '-subj', '/CN=Example CA', '-out', 'ca.crt');
  t.equal(loadPrivateKey(readFileSync(join(dir, 'ca.key')), 'secret').type, 'rsa-2048');
  t.equal(loadPrivateKey(readFileSync(join(dir, 'trad.key')), 'secret').type, 'rsa-2048');
  t.throws(() => loadPrivateKey(readFileSync(join(dir, 'ca.key')), 'wrong', 'ca.key'), { message: 'ca.key: wrong password (cannot decrypt the key)', code: 'bad-password' });
  t.throws(() => loadPrivateKey(readFileSync(join(dir, 'ca.key')), undefined, 'ca.key'), { message: 'ca.key is encrypted and no password was given' });
  writeFileSync(join(dir, 'corrupt.key'), '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n');
  t.throws(() => loadPrivateKey(readFileSync(join(dir, 'corrupt.key')), undefined, 'corrupt.key'), KeyError);

  const base = ['pkcs12', '-export', '-in', 'ca.crt', '-inkey', 'ca.key', '-passin', 'pass:secret'];
  run(...base, '-name', 'client', '-out', 'modern.p12', '-passout', 'pass:pass');
  run(...base, '-legacy', '-out', 'legacy.p12', '-passout', 'pass:pass');
  run(...base, '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-out', 'compat.p12', '-passout', 'pass:pass');
  run(...base, '-nomac', '-out', 'nomac.p12', '-passout', 'pass:pass');
  run(...base, '-out', 'empty.p12', '-passout', 'pass:');
  const expectations: [string, string, string | undefined, string][] = [
    ['modern.p12', 'pass', 'sha256', 'PBES2'],
    ['legacy.p12', 'pass', 'sha1', 'pbeWithSHA1And40BitRC2-CBC'],
    ['compat.p12', 'pass', 'sha1', 'pbeWithSHA1And3-KeyTripleDES-CBC'],
    ['nomac.p12', 'pass', undefined, 'none'],
    ['empty.p12', '', 'sha256', 'PBES2'],
  ];
  for (const [file, pw, mac, certScheme] of expectations) {
    const info = readPkcs12(readFileSync(join(dir, file)), pw, file);
    t.equal(info.mac?.algorithm, mac, `${file}: MAC`);
    t.equal(info.contents[0]!.encryption?.scheme ?? 'none', certScheme, `${file}: certificate protection`);
    t.ok(info.keyMatchesLeaf, `${file}: the key matches the leaf`);
    t.equal(info.leafIndex, 0);
  }
  t.equal(readPkcs12(readFileSync(join(dir, 'modern.p12')), 'pass').key?.friendlyName, 'client');
  t.throws(() => readPkcs12(readFileSync(join(dir, 'modern.p12')), 'wrong', 'modern.p12'), { code: 'bad-password', message: 'modern.p12: MAC verification failed (sha256, 2048 iterations): wrong password?' });
  t.throws(() => readPkcs12(new Uint8Array(readFileSync(join(dir, 'ca.crt'))), 'pass', 'ca.crt'), Pkcs12Error);
});

t.test('a loaded item: the same files, with their password, stand in for generated ones', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = tempDir();
  sh(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-keyout', 'site.key', '-passout', 'pass:pw', '-subj', '/CN=site', '-out', 'site.crt'], { cwd: dir });
  const items = await buildPki({ site: cert({ certFile: 'site.crt', keyFile: 'site.key', password: 'pw' }), bundle: { kind: 'pkcs12', spec: { pkcs12: 'site', password: 'x' } } }, { workDir: tempDir(), scenarioDir: dir });
  const site = items.site as CertificateItem;
  t.equal(site.props.commonName, 'site');
  t.equal(readPkcs12(readFileSync(items.bundle!.props.p12File!), 'x').keyMatchesLeaf, true);
  await t.rejects(buildPki({ site: cert({ certFile: 'site.crt', keyFile: 'site.key', password: 'nope' }) }, { workDir: tempDir(), scenarioDir: dir }), { message: 'pki.site: site.key: wrong password (cannot decrypt the key)' });
});

t.test('a certificate loaded without its key is a trust anchor: what it would issue, bundle or sign is unavailable, and says why', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = tempDir();
  sh(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-subj', '/CN=Their CA', '-out', 'ca.crt'], { cwd: dir });
  const decls = {
    ca: cert({ certFile: 'ca.crt' }),
    leaf: cert({ issuer: 'ca', subject: 'CN=leaf', key: 'ec-p256' }),
    bundle: { kind: 'pkcs12', spec: { pkcs12: 'leaf', password: 'x' } },
    anchorBundle: { kind: 'pkcs12', spec: { pkcs12: 'ca', password: 'x' } },
    crl: { kind: 'crl', spec: { crl: 'ca' } },
    own: cert({ subject: 'CN=own', key: 'ec-p256' }),
  };
  const unavailable: Record<string, string> = {};
  const items = await buildPki(decls, { workDir: tempDir(), scenarioDir: dir, onUnavailable: (item, reason) => (unavailable[item] = reason) });
  t.strictSame(unavailable, {
    leaf: 'its issuer ca was loaded without its private key',
    bundle: 'needs leaf, which cannot be made: its issuer ca was loaded without its private key',
    anchorBundle: 'ca was loaded without its private key',
    crl: 'its issuer ca was loaded without its private key',
  });
  t.strictSame(Object.keys(items).sort(), ['ca', 'own']);
  t.equal(items.ca!.props.commonName, 'Their CA');
  t.notOk('keyFile' in items.ca!.props, 'no key properties for a trust anchor');
  t.equal(sh(['openssl', 'x509', '-in', items.ca!.props.certFile!, '-noout', '-subject']).stdout.trim(), 'subject=CN = Their CA');
  await t.rejects(buildPki(decls, { workDir: tempDir(), scenarioDir: dir }), { message: 'pki.leaf: its issuer ca was loaded without its private key' }, 'without onUnavailable it is an error');
});
