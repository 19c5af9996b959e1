// A client certificate from a public CA: run --pki says why it will be refused and points at a
// private CA. A public root is one Node ships; the test stands its own root in for one.
import t from 'tap';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { generateKey } from '../src/pki/keys.ts';
import { issueCertificate, usageDefaults } from '../src/pki/certificate.ts';
import { publicClientCertificateNote, publicRootOf } from '../src/pki/public-roots.ts';
import type { EKU_NAMES } from '../src/pki/certificate.ts';

const key = await generateKey('ec-p256');
const day = 86_400_000;
const base = { notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + 30 * day), hash: 'sha256' as const, subjectKeyIdentifier: true, authorityKeyIdentifier: true };
const root = await issueCertificate({ ...base, subject: [['CN', 'Stand-in Public Root']], key, serialHex: '01', authorityKeyIdentifier: false, ...usageDefaults('ca', 'ec') });
const leaf = (eku?: (typeof EKU_NAMES)[number][]) =>
  issueCertificate({ ...base, subject: [['CN', 'client.example.org']], key, serialHex: '0a', issuer: { subject: root.subjectName, key, certificate: root }, ...usageDefaults('none', 'ec'), ...(eku ? { extendedKeyUsage: eku } : {}) });
const roots = [new NodeX509(root.toString('pem'))];

t.test('a serverAuth-only certificate under a public root: the note names the root and the way out', async (t) => {
  const pem = (await leaf(['serverAuth'])).toString('pem');
  const note = publicClientCertificateNote(pem, roots);
  t.match(note, /chains to the public root CN=Stand-in Public Root and is for server authentication only/);
  t.match(note, /certharness pki init/);
  t.equal(publicClientCertificateNote(pem), undefined, "not under any root Node ships: no note");
});

t.test('no note for a certificate a server accepts as a client certificate', async (t) => {
  t.equal(publicClientCertificateNote((await leaf(['serverAuth', 'clientAuth'])).toString('pem'), roots), undefined, 'clientAuth');
  t.equal(publicClientCertificateNote((await leaf()).toString('pem'), roots), undefined, 'no extendedKeyUsage: any purpose');
  t.equal(publicClientCertificateNote('not a certificate', roots), undefined);
});

t.test('the roots Node ships are the public ones', async (t) => {
  const { rootCertificates } = await import('node:tls');
  const { x509 } = await import('../src/pki/crypto.ts');
  const isrg = rootCertificates.map((p) => new x509.X509Certificate(p)).find((c) => /ISRG Root X1/.test(c.subject));
  t.ok(isrg, "Node's bundle holds ISRG Root X1");
  t.match(publicRootOf([isrg!]), /ISRG Root X1/);
});
