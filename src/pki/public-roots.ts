// Whether a certificate chains to a root of the public Web PKI (the roots Node ships, Mozilla's),
// and what that means for a client certificate: public CAs no longer issue them.
import { rootCertificates } from 'node:tls';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { parseCertificates } from './inspect.ts';
import type { x509 } from './crypto.ts';

let bundled: NodeX509[] | undefined;
const publicRoots = () => (bundled ??= rootCertificates.map((pem) => new NodeX509(pem)));

/** The subject of the public root the chain ends at (its last certificate is issued by one, or is one), if any. */
export function publicRootOf(chain: x509.X509Certificate[], roots: NodeX509[] = publicRoots()): string | undefined {
  const last = chain.at(-1);
  if (!last) return undefined;
  const node = new NodeX509(Buffer.from(last.rawData));
  const root = roots.find((r) => r.fingerprint256 === node.fingerprint256 || (r.subject === node.issuer && node.verify(r.publicKey)));
  return root?.subject.replace(/\n/g, ', ');
}

/**
 * Why a certificate given as a client certificate will not do, when a public CA issued it for
 * server authentication only: what `run --pki` says before the handshakes fail with
 * "unsupported certificate purpose".
 */
export function publicClientCertificateNote(pem: string, roots?: NodeX509[]): string | undefined {
  let chain: x509.X509Certificate[];
  try {
    chain = parseCertificates(pem);
  } catch {
    return undefined;
  }
  const leaf = chain[0] && new NodeX509(Buffer.from(chain[0].rawData));
  if (!leaf || leaf.ca) return undefined;
  const root = publicRootOf(chain, roots);
  if (!root) return undefined;
  // Node's keyUsage is the extendedKeyUsage; without one, a certificate may serve any purpose.
  const eku = leaf.keyUsage;
  if (!eku || eku.includes('1.3.6.1.5.5.7.3.2')) return undefined;
  return `it chains to the public root ${root} and is for server authentication only: public CAs no longer issue client certificates (Let's Encrypt since 2026-07-08, every CA Chrome trusts from 2027-03-15), so servers refuse it as one ("unsupported certificate purpose"). Client certificates need a private CA: certharness pki init ./certs --profile doc-001`;
}
