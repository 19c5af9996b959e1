// How a PKCS#12 bundle is protected. The three profiles are the forms that matter in practice
// (see docs/scenarios.md "PKCS#12 profiles" for which platform reads which):
//   modern  what OpenSSL 3 writes by default: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for the
//           key and the certificates, HMAC-SHA-256 MAC, 2048 iterations.
//   legacy  what `openssl pkcs12 -export -legacy` and OpenSSL 1.x write: the key under
//           pbeWithSHAAnd3-KeyTripleDES-CBC, certificates under pbeWithSHAAnd40BitRC2-CBC,
//           HMAC-SHA-1 MAC.
//   compat  `-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1`: 3DES for both, SHA-1
//           MAC. Loads everywhere: old macOS/Java/Windows/Android and OpenSSL 3 without the
//           legacy provider.
export type KeyProtection = 'aes256' | '3des' | 'none';
export type CertProtection = 'aes256' | '3des' | 'rc2-40' | 'none';
export type MacAlgorithm = 'sha1' | 'sha256' | 'none';

export interface Pkcs12Protection {
  keyPbe: KeyProtection;
  certPbe: CertProtection;
  mac: MacAlgorithm;
  /** PBKDF2 / PKCS#12 KDF iterations for the bags (OpenSSL: 2048). */
  iterations: number;
  /** MAC iterations (OpenSSL: 2048). */
  macIterations: number;
}

export const PKCS12_PROFILES = {
  modern: { keyPbe: 'aes256', certPbe: 'aes256', mac: 'sha256', iterations: 2048, macIterations: 2048 },
  legacy: { keyPbe: '3des', certPbe: 'rc2-40', mac: 'sha1', iterations: 2048, macIterations: 2048 },
  compat: { keyPbe: '3des', certPbe: '3des', mac: 'sha1', iterations: 2048, macIterations: 2048 },
} as const satisfies Record<string, Pkcs12Protection>;

export type Pkcs12ProfileName = keyof typeof PKCS12_PROFILES;
export const PKCS12_PROFILE_NAMES = Object.keys(PKCS12_PROFILES) as Pkcs12ProfileName[];

/** Object identifiers, with the RFC that defines each. */
export const OID = {
  data: '1.2.840.113549.1.7.1', // RFC 5652
  encryptedData: '1.2.840.113549.1.7.6', // RFC 5652
  keyBag: '1.2.840.113549.1.12.10.1.1', // RFC 7292 §4.2
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20', // RFC 2985
  localKeyId: '1.2.840.113549.1.9.21',
  pbeSha1Rc4_128: '1.2.840.113549.1.12.1.1', // RFC 7292 Appendix C
  pbeSha1Rc4_40: '1.2.840.113549.1.12.1.2',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
  pbeSha1TwoKeyTripleDes: '1.2.840.113549.1.12.1.4',
  pbeSha1Rc2_128: '1.2.840.113549.1.12.1.5',
  pbeSha1Rc2_40: '1.2.840.113549.1.12.1.6',
  pbes2: '1.2.840.113549.1.5.13', // RFC 8018
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
} as const;

const NAMES: Record<string, string> = Object.fromEntries(Object.entries(OID).map(([k, v]) => [v, k]));
/** Readable names as `openssl pkcs12 -info` prints them. */
const DISPLAY: Record<string, string> = {
  [OID.pbeSha1TripleDes]: 'pbeWithSHA1And3-KeyTripleDES-CBC',
  [OID.pbeSha1TwoKeyTripleDes]: 'pbeWithSHA1And2-KeyTripleDES-CBC',
  [OID.pbeSha1Rc2_40]: 'pbeWithSHA1And40BitRC2-CBC',
  [OID.pbeSha1Rc2_128]: 'pbeWithSHA1And128BitRC2-CBC',
  [OID.pbeSha1Rc4_40]: 'pbeWithSHA1And40BitRC4',
  [OID.pbeSha1Rc4_128]: 'pbeWithSHA1And128BitRC4',
  [OID.pbes2]: 'PBES2',
  [OID.pbkdf2]: 'PBKDF2',
  [OID.aes128Cbc]: 'AES-128-CBC',
  [OID.aes192Cbc]: 'AES-192-CBC',
  [OID.aes256Cbc]: 'AES-256-CBC',
  [OID.desEde3Cbc]: 'DES-EDE3-CBC',
  [OID.hmacWithSHA1]: 'hmacWithSHA1',
  [OID.hmacWithSHA256]: 'hmacWithSHA256',
  [OID.hmacWithSHA384]: 'hmacWithSHA384',
  [OID.hmacWithSHA512]: 'hmacWithSHA512',
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
  [OID.pbmac1]: 'PBMAC1',
};

export function oidName(oid: string): string {
  return DISPLAY[oid] ?? NAMES[oid] ?? oid;
}
