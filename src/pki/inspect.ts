// What a certificate says, as plain data: the fields `cert` steps assert on and lint reads.
import { X509Certificate as NodeX509, createPublicKey, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { x509 } from './crypto.ts';
import { loadPrivateKey } from './keys.ts';
import { isMustStaple } from './tls-feature.ts';

export interface CertificateFacts {
  subject: string;
  issuer: string;
  commonName?: string;
  serial: string;
  version: number;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  san: string[];
  isCa: boolean;
  pathLength?: number;
  keyUsage: string[];
  extendedKeyUsage: string[];
  keyType: string;
  keyBits?: number;
  signatureHash: string;
  selfSigned: boolean;
  fingerprint: string;
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** RFC 7633 TLS Feature status_request. */
  mustStaple: boolean;
}

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

const KU_NAMES: [number, string][] = [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'],
];

export function parseCertificates(pemOrDer: string | Uint8Array): x509.X509Certificate[] {
  if (typeof pemOrDer !== 'string') {
    const text = Buffer.from(pemOrDer).toString('latin1');
    if (!text.includes('-----BEGIN')) return [new x509.X509Certificate(new Uint8Array(pemOrDer))];
    pemOrDer = text;
  }
  // Only CERTIFICATE blocks count: a combined PEM (key + chain, as some servers want) is common.
  const labels = [...pemOrDer.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!);
  const certs = x509.PemConverter.decodeWithHeaders(pemOrDer).filter((b) => b.type === 'CERTIFICATE' || b.type === 'TRUSTED CERTIFICATE' || b.type === 'X509 CERTIFICATE');
  if (!certs.length && labels.length) throw new Error(`holds ${[...new Set(labels)].join(', ')}, not a certificate`);
  return certs.map((b, i) => {
    try {
      return new x509.X509Certificate(b.rawData);
    } catch {
      throw new Error(`certificate ${i + 1} cannot be parsed`);
    }
  });
}

/** The certificates in PEM text, or none when it holds none that parse (a key file, a damaged block). */
export function certificatesIn(text: string): x509.X509Certificate[] {
  try {
    return parseCertificates(text);
  } catch {
    return [];
  }
}

export function hashOf(c: x509.X509Certificate): string {
  const alg = c.signatureAlgorithm as { name: string; hash?: { name: string } };
  if (alg.name === 'Ed25519') return 'ed25519';
  return (alg.hash?.name ?? alg.name).toLowerCase().replace('-', '');
}

/** The subjectAltName entries as `dns:name`, `ip:address`, `uri:...`. */
export function sanNames(c: x509.X509Certificate): string[] {
  const san = c.getExtension(x509.SubjectAlternativeNameExtension);
  return san ? Array.from(san.names.items, (g) => `${g.type === 'url' ? 'uri' : g.type}:${g.value}`) : [];
}

/** The extendedKeyUsage purposes by name (serverAuth, clientAuth...), or their OIDs. */
export function extendedKeyUsageNames(c: x509.X509Certificate): string[] {
  const eku = c.getExtension(x509.ExtendedKeyUsageExtension);
  return eku ? Array.from(eku.usages, (u) => EKU_NAMES[String(u)] ?? String(u)) : [];
}

/** The CRL distribution points a certificate names (its URIs). */
export function crlUrls(c: x509.X509Certificate): string[] {
  const ext = c.getExtension(x509.CRLDistributionPointsExtension);
  return (ext?.distributionPoints ?? []).flatMap((p) => (p.distributionPoint?.fullName ?? []).map((g) => g.uniformResourceIdentifier).filter((u): u is string => typeof u === 'string'));
}

/** The OCSP responders its authority information access names. */
export function ocspUrls(c: x509.X509Certificate): string[] {
  const ext = c.getExtension(x509.AuthorityInfoAccessExtension);
  return (ext?.ocsp ?? []).filter((g) => g.type === 'url').map((g) => g.value);
}

export function keyUsageNames(c: x509.X509Certificate): string[] {
  const ku = c.getExtension(x509.KeyUsagesExtension);
  return ku ? KU_NAMES.filter(([f]) => (ku.usages & f) !== 0).map(([, name]) => name) : [];
}

export function nodeView(c: x509.X509Certificate): NodeX509 {
  return new NodeX509(Buffer.from(c.rawData));
}

export function facts(c: x509.X509Certificate, now = new Date()): CertificateFacts {
  const n = nodeView(c);
  const bc = c.getExtension(x509.BasicConstraintsExtension);
  const ski = c.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = c.getExtension(x509.AuthorityKeyIdentifierExtension);
  const pub = n.publicKey;
  const d = pub.asymmetricKeyDetails ?? {};
  const cn = c.subjectName.getField('CN').at(-1);
  return {
    subject: c.subject,
    issuer: c.issuer,
    ...(cn !== undefined ? { commonName: cn } : {}),
    serial: c.serialNumber.toUpperCase(),
    version: versionOf(c),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    daysLeft: Math.floor((c.notAfter.getTime() - now.getTime()) / 86_400_000),
    san: sanNames(c),
    isCa: bc?.ca ?? false,
    ...(bc?.pathLength !== undefined ? { pathLength: bc.pathLength } : {}),
    keyUsage: keyUsageNames(c),
    extendedKeyUsage: extendedKeyUsageNames(c),
    keyType: pub.asymmetricKeyType ?? 'unknown',
    ...(d.modulusLength ? { keyBits: d.modulusLength } : d.namedCurve ? { keyBits: d.namedCurve === 'secp384r1' ? 384 : 256 } : {}),
    signatureHash: hashOf(c),
    selfSigned: c.subject === c.issuer,
    fingerprint: n.fingerprint256,
    ...(ski ? { subjectKeyId: ski.keyId.toUpperCase() } : {}),
    ...(aki?.keyId ? { authorityKeyId: aki.keyId.toUpperCase() } : {}),
    mustStaple: isMustStaple(c),
  };
}

/** The version field (openssl x509 -req writes v1 certificates, which carry no extensions). */
function versionOf(c: x509.X509Certificate): number {
  return AsnConvert.parse(c.rawData as ArrayBuffer, Certificate).tbsCertificate.version + 1;
}

export function publicKeyMatches(c: x509.X509Certificate, key: KeyObject): boolean {
  const a = nodeView(c).publicKey.export({ type: 'spki', format: 'der' });
  const b = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return a.equals(b);
}

/**
 * Why a certificate file and a key file are not a pair: the key does not load, or it is not the
 * certificate's (the lint's key-mismatch). Undefined when they are.
 */
export function keyPairProblem(certPem: Buffer, keyData: Buffer, certLabel: string, keyLabel: string): string | undefined {
  let certificate: x509.X509Certificate | undefined;
  try {
    certificate = parseCertificates(new Uint8Array(certPem))[0];
  } catch {
    certificate = undefined;
  }
  if (!certificate) return `${certLabel} holds no certificate`;
  let key: KeyObject;
  try {
    key = loadPrivateKey(keyData, undefined, keyLabel).object;
  } catch (e) {
    return (e as Error).message;
  }
  return publicKeyMatches(certificate, key) ? undefined : `${keyLabel} is not the private key of the certificate (key-mismatch: its public key differs)`;
}
