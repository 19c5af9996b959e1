// Reading a PKI item's material for services and steps: the certificate chain a server sends,
// its key, and trust anchors. Scenarios name PKI items; this turns the names into PEM.
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';

export interface ServerMaterial {
  /** Leaf and intermediates, what a TLS server sends. */
  cert: string;
  key: string;
}

export function pkiItem(pki: Record<string, Record<string, unknown>>, name: string, role: string): Record<string, unknown> {
  const item = pki[name];
  if (!item) throw new Error(`${role} '${name}' is not a PKI item of this scenario`);
  return item;
}

/**
 * The item's key as unencrypted PKCS#8 PEM. Keys are handed to TLS already decrypted: Deno's
 * TLS silently drops a client key that needs a passphrase, so nothing relies on `passphrase`.
 */
export function plainKeyPem(item: Record<string, unknown>, role: string, name: string): string {
  const material = (item.item as { key?: { object: KeyObject } } | undefined)?.key;
  if (!material) throw new Error(`${role} '${name}' must be a certificate item`);
  return material.object.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export function serverMaterial(pki: Record<string, Record<string, unknown>>, name: string, role = 'cert'): ServerMaterial {
  const item = pkiItem(pki, name, role);
  if (typeof item.fullchainFile !== 'string') throw new Error(`${role} '${name}' must be a certificate item`);
  return { cert: readFileSync(item.fullchainFile, 'utf8'), key: plainKeyPem(item, role, name) };
}

/** A client certificate item: its certificate and its key, decrypted. */
export function clientMaterial(pki: Record<string, Record<string, unknown>>, name: string, role = 'clientCert'): { cert: string; key: string } {
  const item = pkiItem(pki, name, role);
  return { cert: String(item.pem), key: plainKeyPem(item, role, name) };
}

/** Trust anchors: a certificate item's own certificate (a CA) — several names allowed. */
export function trustAnchors(pki: Record<string, Record<string, unknown>>, names: string | string[], role = 'trust'): string[] {
  return (Array.isArray(names) ? names : [names]).map((n) => {
    const item = pkiItem(pki, n, role);
    if (typeof item.pem !== 'string') throw new Error(`${role} '${n}' must be a certificate item`);
    return item.pem;
  });
}
