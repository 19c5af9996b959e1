// The HTTPS identity of an ACME server's listeners: a small CA and a localhost certificate,
// as Pebble's test/certs (made with minica) provide. The Debian pebble ships none, so the
// `pebble` service uses this too.
import { generateKey, exportPrivateKey } from '../../pki/keys.ts';
import { issueCertificate, randomSerial } from '../../pki/certificate.ts';

/** A CA and a localhost certificate for the listeners, as Pebble's test/certs (minica) provide. */
export async function listenerIdentity(now: Date): Promise<{ cert: string; key: string; ca: string }> {
  const [caKey, key] = await Promise.all([generateKey('ec-p256'), generateKey('ec-p256')]);
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + 2 * 365 * 86_400_000);
  const ca = await issueCertificate({ subject: [['CN', 'certharness ACME listener CA']], key: caKey, serialHex: randomSerial(), notBefore, notAfter, hash: 'sha256', basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature'], subjectKeyIdentifier: true, authorityKeyIdentifier: false });
  const cert = await issueCertificate({
    subject: [['CN', 'localhost']],
    key,
    issuer: { subject: ca.subjectName, key: caKey, certificate: ca },
    serialHex: randomSerial(),
    notBefore,
    notAfter,
    hash: 'sha256',
    basicConstraints: { ca: false },
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ['serverAuth'],
    san: ['dns:localhost', 'ip:127.0.0.1', 'ip:::1'],
    subjectKeyIdentifier: true,
    authorityKeyIdentifier: true,
  });
  return { cert: cert.toString('pem') + '\n', key: exportPrivateKey(key), ca: ca.toString('pem') + '\n' };
}

