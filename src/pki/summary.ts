// The scenario's certificates as plain data for reports (the HTML report draws them as chains):
// who issued each, its key, its validity and purposes, and whether the run revoked it.
import { facts } from './inspect.ts';
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
  extendedKeyUsage: string[];
  san: string[];
  serial: string;
  signatureHash: string;
  revoked: boolean;
}

export function summarizePki(pki: PkiItems, revocations: Revocations): PkiCertificateSummary[] {
  return Object.entries(pki).flatMap(([name, item]) => {
    if (item.kind !== 'certificate') return [];
    const f = facts(item.certificate);
    const issuer = f.selfSigned ? undefined : issuingCa(item, pki);
    return [{
      name,
      ...(issuer ? { issuer } : {}),
      subject: f.subject,
      keyType: f.keyType,
      ...(f.keyBits ? { keyBits: f.keyBits } : {}),
      notBefore: f.notBefore,
      notAfter: f.notAfter,
      isCa: f.isCa,
      extendedKeyUsage: f.extendedKeyUsage,
      san: f.san,
      serial: f.serial,
      signatureHash: f.signatureHash,
      revoked: Boolean(issuer && revocations.find(issuer, item.certificate.serialNumber)),
    }];
  });
}
