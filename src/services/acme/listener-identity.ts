// The HTTPS identity of an ACME server's listeners: a small CA and a localhost certificate,
// as Pebble's test/certs (made with minica) provide. The Debian pebble ships none, so the
// `pebble` service uses this too.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { x509 } from '../../pki/crypto.ts';
import { certificatesIn } from '../../pki/inspect.ts';
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


/**
 * The CA that clients must trust for a listener certificate given in Pebble's config. Pebble
 * keeps its minica root beside the certificate's directory (test/certs/pebble.minica.pem next
 * to test/certs/localhost/cert.pem); a chain in the certificate file itself is looked at first.
 * Undefined when no file there issued it.
 */
export async function issuerOfListener(certPem: string, certFile: string): Promise<string | undefined> {
  const blocks = certificatesIn(certPem);
  const leaf = blocks[0];
  if (!leaf) return undefined;
  const candidates: x509.X509Certificate[] = [...blocks.slice(1)];
  for (const dir of [dirname(certFile), dirname(dirname(certFile))]) {
    for (const name of safeList(dir).filter((n) => /\.(pem|crt)$/.test(n))) candidates.push(...certificatesIn(safeRead(join(dir, name))));
  }
  // The root of the chain: follow issuers until a self-signed one, or the last found.
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    const issuer = await findIssuer(current, candidates);
    if (!issuer) return current === leaf ? undefined : current.toString('pem') + '\n';
    if (issuer.subject === issuer.issuer) return issuer.toString('pem') + '\n';
    current = issuer;
  }
  return current.toString('pem') + '\n';
}

async function findIssuer(cert: x509.X509Certificate, candidates: x509.X509Certificate[]): Promise<x509.X509Certificate | undefined> {
  for (const c of candidates) {
    if (c.subject !== cert.issuer || c.toString() === cert.toString()) continue;
    if (await cert.verify({ publicKey: c, signatureOnly: true }).catch(() => false)) return c;
  }
  return undefined;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

