// Certificate revocation lists signed by a CA item (RFC 5280 §5), with cRLNumber and
// authorityKeyIdentifier as conforming issuers write them.
import { AsnConvert } from '@peculiar/asn1-schema';
import { CRLNumber, id_ce_cRLNumber } from '@peculiar/asn1-x509';
import { x509 } from './crypto.ts';
import { signParams, type HashName } from './key-spec.ts';
import { signingKey, type PrivateKeyMaterial } from './keys.ts';

export interface RevokedEntry {
  serialHex: string;
  date: Date;
  reason?: x509.X509CrlReason;
}

export interface CrlParams {
  issuer: { certificate: x509.X509Certificate; key: PrivateKeyMaterial };
  revoked: RevokedEntry[];
  thisUpdate: Date;
  nextUpdate: Date;
  hash: HashName;
  number: number;
}

export async function issueCrl(p: CrlParams): Promise<x509.X509Crl> {
  const ski = p.issuer.certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions: x509.Extension[] = [new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(p.number)))];
  if (ski) extensions.push(new x509.AuthorityKeyIdentifierExtension(ski.keyId, false));
  return x509.X509CrlGenerator.create({
    issuer: p.issuer.certificate.subjectName,
    thisUpdate: p.thisUpdate,
    nextUpdate: p.nextUpdate,
    signingAlgorithm: signParams(p.issuer.key.type, p.hash),
    signingKey: await signingKey(p.issuer.key, p.hash),
    extensions,
    entries: p.revoked.map((r) => ({ serialNumber: r.serialHex, revocationDate: r.date, ...(r.reason !== undefined ? { reason: r.reason } : {}) })),
  });
}
