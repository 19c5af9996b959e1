// Subscriber certificates, the CA's hot path: a TBSCertificate made from the X.509 ASN.1
// schemas and signed with node:crypto's synchronous sign. Everything every leaf shares (the
// issuer name, the signature algorithm, basic constraints, EKU, AKI, CRL distribution point, AIA) is encoded once in
// `leafTemplate`; a leaf then costs one DER encoding and one signature.
import { sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AccessDescription,
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CRLDistributionPoints,
  Certificate,
  DistributionPoint,
  DistributionPointName,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ad_ocsp,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_kp_clientAuth,
  id_kp_serverAuth,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';

/** Signature algorithms a Pebble CA key signs with (RFC 4055 §5, RFC 5758 §3.2): sha256 for both. */
const SIGNATURE_ALGORITHMS = {
  rsa: { oid: '1.2.840.113549.1.1.11', parameters: null }, // sha256WithRSAEncryption, parameters NULL
  ec: { oid: '1.2.840.10045.4.3.2', parameters: undefined }, // ecdsa-with-SHA256, parameters absent
} as const;
const COMMON_NAME = '2.5.4.3';
/** RFC 5280 §4.1.2.5: a CN is at most 64 characters (ub-common-name). */
const MAX_COMMON_NAME = 64;

export interface LeafTemplate {
  issuer: Name;
  signatureAlgorithm: AlgorithmIdentifier;
  fixedExtensions: Extension[];
  signingKey: KeyObject;
}

const extension = (extnID: string, critical: boolean, value: unknown) => new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

/** What every leaf of this issuing certificate shares. */
export function leafTemplate(o: { issuingCertDer: Uint8Array; signingKey: KeyObject; ocspUrl?: string; crlUrl?: string; clientAuth?: boolean }): LeafTemplate {
  const issuing = AsnConvert.parse(o.issuingCertDer, Certificate).tbsCertificate;
  const ski = issuing.extensions?.find((e) => e.extnID === '2.5.29.14');
  if (!ski) throw new Error('the issuing certificate has no subject key identifier');
  const keyType = o.signingKey.asymmetricKeyType;
  const alg = keyType === 'rsa' ? SIGNATURE_ALGORITHMS.rsa : keyType === 'ec' ? SIGNATURE_ALGORITHMS.ec : undefined;
  if (!alg) throw new Error(`a ${keyType} issuing key is not supported (rsa or ec)`);
  const fixedExtensions = [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    // Server authentication only, as Let's Encrypt since 2026 and Chrome's root policy require;
    // TLS client authentication only when the scenario asks for a CA of the past.
    extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage(o.clientAuth ? [id_kp_serverAuth, id_kp_clientAuth] : [id_kp_serverAuth])),
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: AsnConvert.parse(ski.extnValue.buffer, KeyIdentifier) })),
    ...(o.crlUrl ? [extension(id_ce_cRLDistributionPoints, false, new CRLDistributionPoints([new DistributionPoint({ distributionPoint: new DistributionPointName({ fullName: [new GeneralName({ uniformResourceIdentifier: o.crlUrl })] }) })]))] : []),
    ...(o.ocspUrl ? [extension(id_pe_authorityInfoAccess, false, new AuthorityInfoAccessSyntax([new AccessDescription({ accessMethod: id_ad_ocsp, accessLocation: new GeneralName({ uniformResourceIdentifier: o.ocspUrl }) })]))] : []),
  ];
  return {
    issuer: issuing.subject,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: alg.oid, ...(alg.parameters === null ? { parameters: null } : {}) }),
    fixedExtensions,
    signingKey: o.signingKey,
  };
}

/** A signed subscriber certificate (DER) for `names`, on the CSR's public key (SubjectPublicKeyInfo DER). */
export function signLeaf(t: LeafTemplate, o: { spki: Uint8Array; rsa: boolean; names: string[]; serialHex: string; notBefore: Date; notAfter: Date }): Uint8Array<ArrayBuffer> {
  const cn = o.names.find((n) => n.length <= MAX_COMMON_NAME);
  const subject = new Name(cn ? [new RelativeDistinguishedName([new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ utf8String: cn }) })])] : []);
  // BR 7.1.2.7: no SKI in subscriber certificates; keyEncipherment only for RSA keys.
  const usage = new KeyUsage(o.rsa ? KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment : KeyUsageFlags.digitalSignature);
  const san = new SubjectAlternativeName(o.names.map((n) => new GeneralName(isIP(n) ? { iPAddress: n } : { dNSName: n })));
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: new Uint8Array(Buffer.from(o.serialHex, 'hex')).buffer,
    signature: t.signatureAlgorithm,
    issuer: t.issuer,
    validity: new Validity({ notBefore: o.notBefore, notAfter: o.notAfter }),
    subject,
    subjectPublicKeyInfo: AsnConvert.parse(o.spki, SubjectPublicKeyInfo),
    extensions: new Extensions([...t.fixedExtensions, extension(id_ce_keyUsage, true, usage), extension(id_ce_subjectAltName, false, san)]),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  // For RSA keys node:crypto signs PKCS#1 v1.5; for EC keys it returns the DER ECDSA-Sig-Value X.509 wants.
  const signature = sign('sha256', tbsDer, t.signingKey);
  return new Uint8Array(AsnConvert.serialize(new Certificate({ tbsCertificate: tbs, signatureAlgorithm: t.signatureAlgorithm, signatureValue: new Uint8Array(signature).buffer })));
}
