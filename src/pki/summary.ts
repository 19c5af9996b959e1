// The scenario's certificates as plain data for reports (the HTML report draws them as chains):
// who issued each, its key, its validity and purposes, and whether the run revoked it.
import { x509 } from './crypto.ts';
import { crlUrls, extendedKeyUsageNames, hashOf, keyUsageNames, ocspUrls, sanNames } from './inspect.ts';
import { isMustStaple } from './tls-feature.ts';
import { issuingCa } from './crl.ts';
import type { PkiItems } from './build.ts';
import type { Revocations } from './revocations.ts';

export interface PkiCertificateSummary {
  name: string;
  /** The item that issued it; absent when it is self-signed or its issuer is not an item here. */
  issuer?: string;
  subject: string;
  keyType: string;
  keyBits?: number;
  notBefore: string;
  notAfter: string;
  isCa: boolean;
  pathLength?: number;
  keyUsage: string[];
  extendedKeyUsage: string[];
  san: string[];
  serial: string;
  signatureHash: string;
  subjectKeyId?: string;
  authorityKeyId?: string;
  crlUrls: string[];
  ocspUrls: string[];
  mustStaple: boolean;
  revoked: boolean;
}

/**
 * Read from the parsed certificate alone (no Node X509Certificate, no fingerprint): this runs at
 * the end of every scenario, for every certificate, whether or not a report draws them.
 */
export function summarizePki(pki: PkiItems, revocations: Revocations): PkiCertificateSummary[] {
  return Object.entries(pki).flatMap(([name, item]) => {
    if (item.kind !== 'certificate') return [];
    const c = item.certificate;
    const issuer = c.subject === c.issuer ? undefined : issuingCa(item, pki);
    const bc = c.getExtension(x509.BasicConstraintsExtension);
    const ski = c.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    const aki = c.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
    return [{
      name,
      ...(issuer ? { issuer } : {}),
      subject: c.subject,
      ...keyOf(c),
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      isCa: bc?.ca ?? false,
      ...(bc?.pathLength !== undefined ? { pathLength: bc.pathLength } : {}),
      keyUsage: keyUsageNames(c),
      extendedKeyUsage: extendedKeyUsageNames(c),
      san: sanNames(c),
      serial: c.serialNumber.toUpperCase(),
      signatureHash: hashOf(c),
      ...(ski ? { subjectKeyId: ski.toUpperCase() } : {}),
      ...(aki ? { authorityKeyId: aki.toUpperCase() } : {}),
      crlUrls: crlUrls(c),
      ocspUrls: ocspUrls(c),
      mustStaple: isMustStaple(c),
      revoked: Boolean(issuer && revocations.find(issuer, c.serialNumber)),
    }];
  });
}

const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };

/** The key as `facts` names it: ec 256, rsa 2048, ed25519. */
function keyOf(c: x509.X509Certificate): { keyType: string; keyBits?: number } {
  const a = c.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (a.name === 'ECDSA' || a.name === 'ECDH') return { keyType: 'ec', ...(a.namedCurve && CURVE_BITS[a.namedCurve] ? { keyBits: CURVE_BITS[a.namedCurve] } : {}) };
  if (a.modulusLength) return { keyType: 'rsa', keyBits: a.modulusLength };
  return { keyType: a.name.toLowerCase() };
}
