// What the CA signs, read by the real openssl: RSA and ECDSA issuing keys (Pebble's
// keyAlgorithm), RSA and EC subscriber keys, the extensions a subscriber certificate carries,
// and the CSR reader's view of what openssl req writes.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAcmeServer } from '../src/services/acme/server.ts';
import { defaultAcmeOptions } from '../src/services/acme/config.ts';
import { parseCsr } from '../src/services/acme/csr.ts';
import { AcmeClient } from '../src/clients/acme/client.ts';
import { issueCertificate } from '../src/clients/acme/issue.ts';
import type { ChallengeResponder } from '../src/clients/acme/responders.ts';
import { generateKey } from '../src/pki/keys.ts';
import { needPeer, sh, tempDir } from './helpers.ts';

/** With vaAlwaysValid nobody needs to answer the challenge. */
const nobody: ChallengeResponder = { type: 'http-01', hits: 0, present: async () => {}, cleanup: async () => {}, close: async () => {} };

for (const keyAlgorithm of ['rsa', 'ecdsa'] as const) {
  t.test(`a ${keyAlgorithm} CA: each leaf verifies with openssl and carries a subscriber's extensions`, async (t) => {
    if (!needPeer(t, 'openssl')) return;
    const server = await startAcmeServer({ ...defaultAcmeOptions(), listenAddress: '127.0.0.1:0', managementListenAddress: '', keyAlgorithm, vaAlwaysValid: true, ocspResponderURL: 'http://127.0.0.1:4002/' });
    t.teardown(() => server.stop());
    const client = new AcmeClient({ directoryUrl: server.directoryUrl, accountKey: await generateKey('ec-p256'), ca: server.tlsCaPem, pollMinMs: 10 });
    t.teardown(() => client.close());
    await client.newAccount({ termsOfServiceAgreed: true });
    const dir = tempDir();
    writeFileSync(join(dir, 'root.pem'), server.rootPem);
    for (const [keyType, names, usage] of [
      ['rsa-2048', ['www.example.org', 'example.org'], 'Digital Signature, Key Encipherment'],
      ['ec-p256', ['127.0.0.1', '::1'], 'Digital Signature'],
    ] as const) {
      const r = await issueCertificate(client, { names: [...names], responder: nobody, certificateKey: await generateKey(keyType) });
      const file = join(dir, `${keyType}.pem`);
      writeFileSync(file, r.certPem + r.chainOnlyPem);
      const verify = sh(['openssl', 'verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', file, file]);
      t.equal(verify.code, 0, `${keyType}: ${verify.stdout}${verify.stderr}`);
      const text = sh(['openssl', 'x509', '-in', file, '-noout', '-text']).stdout;
      t.match(text, keyAlgorithm === 'rsa' ? /Signature Algorithm: sha256WithRSAEncryption/ : /Signature Algorithm: ecdsa-with-SHA256/);
      t.match(text, /Version: 3 \(0x2\)/);
      t.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
      t.match(text, new RegExp(`X509v3 Key Usage: critical\\s+${usage}\\n`), `${keyType}: ${usage}`);
      t.match(text, /X509v3 Extended Key Usage: \s+TLS Web Server Authentication\n/, 'server authentication only');
      t.match(text, /X509v3 CRL Distribution Points: \s+Full Name:\s+URI:http:\/\/127\.0\.0\.1:\d+\/0\.crl/);
      t.match(text, /X509v3 Authority Key Identifier: \s+[0-9A-F:]{59}/);
      t.match(text, /Authority Information Access: \s+OCSP - URI:http:\/\/127\.0\.0\.1:4002\//);
      t.notMatch(text, /Subject Key Identifier/, 'no SKI in a subscriber certificate (BR 7.1.2.7)');
      t.match(text, keyType === 'rsa-2048' ? /Subject: CN ?= ?www\.example\.org\n[^]*DNS:www\.example\.org, DNS:example\.org/ : /IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    }
  });
}

t.test('the CSR reader sees what openssl req wrote: names, an e-mail SAN apart, a broken signature', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = tempDir();
  const req = sh(['openssl', 'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-subj', '/CN=Example.ORG', '-addext', 'subjectAltName=DNS:example.org,IP:192.0.2.7,email:ops@example.org', '-outform', 'DER', '-out', 'csr.der'], { cwd: dir });
  t.equal(req.code, 0, req.stderr);
  const der = sh(['base64', '-w0', join(dir, 'csr.der')]).stdout;
  const csr = parseCsr(Buffer.from(der, 'base64'));
  t.strictSame(csr.names, ['example.org', '192.0.2.7']);
  t.strictSame(csr.otherNames, ['rfc822Name']);
  t.equal(csr.commonName, 'Example.ORG');
  t.equal(csr.signatureValid, true);
  t.equal(csr.key.asymmetricKeyType, 'ec');
  const broken = Buffer.from(der, 'base64');
  broken[broken.length - 5] ^= 0xff;
  t.equal(parseCsr(broken).signatureValid, false, 'a flipped bit in the signature');
  t.throws(() => parseCsr(Buffer.from('not a csr')), /CSR is not a DER PKCS#10 certification request/);
  t.throws(() => parseCsr(Buffer.concat([Buffer.from(der, 'base64'), Buffer.from([0])])), /CSR is not a DER PKCS#10/, 'a byte after the request is refused, as Go refuses trailing data');
  const spki = sh(['sh', '-c', 'openssl pkey -in k.pem -pubout -outform DER | base64 -w0'], { cwd: dir }).stdout;
  t.equal(Buffer.from(csr.spki).toString('base64'), spki, "the leaf's key is the CSR's, byte for byte as openssl writes it");
});
