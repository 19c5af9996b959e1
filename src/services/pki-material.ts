// Reading a PKI item's material for a service: the certificate chain a server sends, its key,
// and trust anchors. Services name PKI items; this turns the names into PEM.
import { readFileSync } from 'node:fs';

export interface ServerMaterial {
  /** Leaf and intermediates, what a TLS server sends. */
  cert: string;
  key: string;
  passphrase?: string;
}

export function pkiItem(pki: Record<string, Record<string, unknown>>, name: string, role: string): Record<string, unknown> {
  const item = pki[name];
  if (!item) throw new Error(`${role} '${name}' is not a PKI item of this scenario`);
  return item;
}

export function serverMaterial(pki: Record<string, Record<string, unknown>>, name: string, role = 'cert'): ServerMaterial {
  const item = pkiItem(pki, name, role);
  if (typeof item.fullchainFile !== 'string' || typeof item.keyPem !== 'string') throw new Error(`${role} '${name}' must be a certificate item`);
  return { cert: readFileSync(item.fullchainFile, 'utf8'), key: item.keyPem, ...(typeof item.keyPassword === 'string' ? { passphrase: item.keyPassword } : {}) };
}

/** Trust anchors: a certificate item's own certificate (a CA) — several names allowed. */
export function trustAnchors(pki: Record<string, Record<string, unknown>>, names: string | string[], role = 'trust'): string[] {
  return (Array.isArray(names) ? names : [names]).map((n) => {
    const item = pkiItem(pki, n, role);
    if (typeof item.pem !== 'string') throw new Error(`${role} '${n}' must be a certificate item`);
    return item.pem;
  });
}
