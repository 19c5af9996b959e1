// Reading a PKI item's material for services and steps: the certificate chain a server sends,
// its key, and trust anchors. Scenarios name PKI items; this turns the names into PEM.
import { readFileSync } from 'node:fs';
import type { CertificateItem, PkiItem, PkiItems } from './build.ts';
import { parseCertificates } from './inspect.ts';

export interface ServerMaterial {
  /** Leaf and intermediates, what a TLS server sends. */
  cert: string;
  key: string;
}

export function pkiItem(pki: PkiItems, name: string, role: string): PkiItem {
  const item = pki[name];
  if (!item) throw new Error(`${role} '${name}' is not a PKI item of this scenario`);
  return item;
}

/** A certificate item, or the reason this name cannot serve as one. */
export function certificateItem(pki: PkiItems, name: string, role: string): CertificateItem {
  const item = pkiItem(pki, name, role);
  if (item.kind !== 'certificate') throw new Error(`${role} '${name}' must be a certificate item`);
  return item;
}

/**
 * The item's key as unencrypted PKCS#8 PEM. Keys are handed to TLS already decrypted: Deno's
 * TLS silently drops a client key that needs a passphrase, so nothing relies on `passphrase`.
 */
export function plainKeyPem(item: CertificateItem, role: string, name: string): string {
  if (!item.key) throw new Error(`${role} '${name}' has no private key here: it was loaded as a trust anchor only`);
  return item.key.object.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** What a server sends: its whole chain, the leaf alone (a misconfigured server's incomplete chain), or the intermediates in reverse order. */
export const SERVED_CHAINS = ['full', 'leaf-only', 'reversed'] as const;
export type ServedChain = (typeof SERVED_CHAINS)[number];

export function serverMaterial(pki: PkiItems, name: string, role = 'cert', chain: ServedChain = 'full'): ServerMaterial {
  const item = certificateItem(pki, name, role);
  const fullchain = readFileSync(item.props.fullchainFile!, 'utf8');
  return { cert: chain === 'full' ? fullchain : arrangedChain(fullchain, chain), key: plainKeyPem(item, role, name) };
}

function arrangedChain(fullchain: string, chain: Exclude<ServedChain, 'full'>): string {
  const [leaf, ...intermediates] = parseCertificates(fullchain).map((c) => `${c.toString('pem')}\n`);
  return chain === 'leaf-only' ? leaf! : [leaf!, ...intermediates.reverse()].join('');
}

/** A client certificate item: its certificate and its key, decrypted. */
export function clientMaterial(pki: PkiItems, name: string, role = 'clientCert'): { cert: string; key: string } {
  const item = certificateItem(pki, name, role);
  return { cert: item.props.pem!, key: plainKeyPem(item, role, name) };
}

/** Trust anchors: a certificate item's own certificate (a CA), or a trust bundle — several names allowed. */
export function trustAnchors(pki: PkiItems, names: string | string[], role = 'trust'): string[] {
  return (Array.isArray(names) ? names : [names]).map((n) => {
    const item = pkiItem(pki, n, role);
    if (item.kind !== 'certificate' && item.kind !== 'trust') throw new Error(`${role} '${n}' must be a certificate or trust item`);
    return item.props.pem!;
  });
}
