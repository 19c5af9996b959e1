// Issues X.509 certificates with @peculiar/x509: roots, intermediates, servers and clients,
// including the deliberately wrong ones a conformance suite needs (expired, no SAN, SHA-1).
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from './crypto.ts';
import { type HashName, signParams } from './key-spec.ts';
import { type PrivateKeyMaterial, signingKey, publicKey } from './keys.ts';
import { toX509Name } from './names.ts';
import { mustStapleExtension } from './tls-feature.ts';
import { nameConstraintsExtension, type NameConstraintsDecl } from './name-constraints.ts';

export const USAGES = ['ca', 'server', 'client', 'server+client', 'none'] as const;
export type Usage = (typeof USAGES)[number];

export const KEY_USAGE_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
const KEY_USAGE_FLAGS: Record<(typeof KEY_USAGE_NAMES)[number], number> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  dataEncipherment: x509.KeyUsageFlags.dataEncipherment,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
  encipherOnly: x509.KeyUsageFlags.encipherOnly,
  decipherOnly: x509.KeyUsageFlags.decipherOnly,
};

export const EKU_NAMES = ['serverAuth', 'clientAuth', 'codeSigning', 'emailProtection', 'timeStamping', 'OCSPSigning'] as const;
const EKU_OIDS: Record<(typeof EKU_NAMES)[number], string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
};

export interface CertificateParams {
  subject: [string, string][] | x509.Name;
  /** The subject's key pair: its public half goes into the certificate. */
  key?: PrivateKeyMaterial;
  /** Instead of `key`: only the public key, as when signing a CSR. */
  publicKey?: x509.PublicKey;
  /** Absent: self-signed. */
  issuer?: { subject: x509.Name | string; key: PrivateKeyMaterial; certificate: x509.X509Certificate };
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  hash: HashName;
  /** Which extensions to add; `undefined` fields are left out, which is how bad certificates are made. */
  basicConstraints?: { ca: boolean; pathLength?: number };
  keyUsage?: (typeof KEY_USAGE_NAMES)[number][];
  extendedKeyUsage?: (typeof EKU_NAMES)[number][];
  san?: string[];
  subjectKeyIdentifier: boolean;
  authorityKeyIdentifier: boolean;
  crlUrls?: string[];
  ocspUrls?: string[];
  caIssuersUrls?: string[];
  /** RFC 7633 TLS Feature status_request: clients must get a stapled OCSP answer. */
  mustStaple?: boolean;
  /** A CA's name constraints (RFC 5280 §4.2.1.10). */
  nameConstraints?: NameConstraintsDecl;
  /** Extensions copied verbatim (from a CSR, like `-copy_extensions copy`). */
  extraExtensions?: x509.Extension[];
}

/** The keyUsage/EKU/basicConstraints a usage implies, as `openssl req -x509` and typical CAs set them. */
export function usageDefaults(usage: Usage, keyFamily: 'rsa' | 'ec' | 'ed25519'): Pick<CertificateParams, 'basicConstraints' | 'keyUsage' | 'extendedKeyUsage'> {
  const leafKeyUsage: CertificateParams['keyUsage'] = keyFamily === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  switch (usage) {
    case 'ca':
      return { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature'] };
    case 'server':
      return { basicConstraints: { ca: false }, keyUsage: leafKeyUsage, extendedKeyUsage: ['serverAuth'] };
    case 'client':
      return { basicConstraints: { ca: false }, keyUsage: leafKeyUsage, extendedKeyUsage: ['clientAuth'] };
    case 'server+client':
      return { basicConstraints: { ca: false }, keyUsage: leafKeyUsage, extendedKeyUsage: ['serverAuth', 'clientAuth'] };
    case 'none':
      return {};
  }
}

/** A random positive 128-bit serial (RFC 5280 §4.1.2.2 allows up to 20 octets). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString('hex');
}

/** Normalises `01`, `0x01`, `1`, `1234` (decimal) into even-length hex, as `-set_serial` accepts them. */
export function serialToHex(serial: string | number): string {
  const text = String(serial).trim();
  let hex: string;
  if (/^0x[0-9a-f]+$/i.test(text)) hex = text.slice(2);
  else if (typeof serial === 'number' || /^\d+$/.test(text)) hex = BigInt(text).toString(16);
  else if (/^[0-9a-f:]+$/i.test(text)) hex = text.replace(/:/g, '');
  else throw new Error(`serial '${text}' is not a number or hex string`);
  hex = hex.toLowerCase().replace(/^0+(?=.)/, '');
  if (hex.length % 2) hex = `0${hex}`;
  // DER integers are signed: a leading byte >= 0x80 needs a zero byte to stay positive.
  if (/^[89a-f]/.test(hex)) hex = `00${hex}`;
  return hex;
}

/** `dns:x`, `ip:x`, or a bare value whose form says what it is. */
export function generalName(value: string): x509.JsonGeneralName {
  const m = /^(dns|ip|email|uri):(.*)$/i.exec(value);
  if (m) {
    const kind = m[1]!.toLowerCase();
    return { type: kind === 'dns' ? 'dns' : kind === 'ip' ? 'ip' : kind === 'email' ? 'email' : 'url', value: m[2]! };
  }
  if (isIP(value)) return { type: 'ip', value };
  if (value.includes('@')) return { type: 'email', value };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { type: 'url', value };
  return { type: 'dns', value };
}

export async function issueCertificate(p: CertificateParams): Promise<x509.X509Certificate> {
  const signer = p.issuer?.key ?? p.key;
  if (!signer) throw new Error('a certificate needs an issuer key or its own key to be self-signed');
  const extensions: x509.Extension[] = [];
  if (p.basicConstraints) extensions.push(new x509.BasicConstraintsExtension(p.basicConstraints.ca, p.basicConstraints.pathLength, true));
  if (p.keyUsage?.length) extensions.push(new x509.KeyUsagesExtension(p.keyUsage.reduce((f, u) => f | KEY_USAGE_FLAGS[u], 0), true));
  if (p.extendedKeyUsage?.length) extensions.push(new x509.ExtendedKeyUsageExtension(p.extendedKeyUsage.map((e) => EKU_OIDS[e]), false));
  if (p.san?.length) extensions.push(new x509.SubjectAlternativeNameExtension(p.san.map(generalName), false));
  const pub = p.publicKey ?? (await publicKey(p.key!, p.hash));
  if (p.subjectKeyIdentifier) extensions.push(await x509.SubjectKeyIdentifierExtension.create(pub, false));
  if (p.authorityKeyIdentifier) {
    const issuerCert = p.issuer?.certificate;
    if (issuerCert) {
      const ski = issuerCert.getExtension(x509.SubjectKeyIdentifierExtension);
      extensions.push(ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId, false) : await x509.AuthorityKeyIdentifierExtension.create(issuerCert, false));
    } else {
      extensions.push(await x509.AuthorityKeyIdentifierExtension.create(pub, false));
    }
  }
  if (p.crlUrls?.length) extensions.push(new x509.CRLDistributionPointsExtension(p.crlUrls, false));
  if (p.ocspUrls?.length || p.caIssuersUrls?.length) {
    extensions.push(new x509.AuthorityInfoAccessExtension({ ...(p.ocspUrls?.length ? { ocsp: p.ocspUrls } : {}), ...(p.caIssuersUrls?.length ? { caIssuers: p.caIssuersUrls } : {}) }, false));
  }
  if (p.mustStaple) extensions.push(mustStapleExtension());
  if (p.nameConstraints) extensions.push(nameConstraintsExtension(p.nameConstraints));
  if (p.extraExtensions) for (const e of p.extraExtensions) if (!extensions.some((x) => x.type === e.type)) extensions.push(e);
  const subject = p.subject instanceof x509.Name ? p.subject : toX509Name(p.subject);
  return x509.X509CertificateGenerator.create({
    serialNumber: p.serialHex,
    subject,
    issuer: p.issuer ? p.issuer.subject : subject,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    signingAlgorithm: signParams(signer.type, p.hash),
    publicKey: pub,
    signingKey: await signingKey(signer, p.hash),
    extensions,
  });
}

