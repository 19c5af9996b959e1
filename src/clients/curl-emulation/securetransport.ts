// What curl built with Apple's Secure Transport does with a client certificate, for a given
// curl version and Keychain: the rules R1-R11 of docs/macos-curl.md,
// each citing where it comes from. Pure: files are read through `readFile`, the Keychain is data.
// Sources: curl lib/vtls/sectransp.c (7.51 - 8.14.1, as darwinssl.c before 7.56), curl commits
// 7c9b9add6f (7.52), c58063b4f8/f8475c6941 (7.59), fd9b40bf8d (7.78, CVE-2021-22926),
// 07bcae89d5 (8.6), c074ba64a8 (8.9), 08a3e8e19a (removal in 8.15); Apple Security's
// libsecurity_pkcs12 (pkcs12Decode.cpp, pkcs12Derive.cpp) and SecBase.h for the OSStatus values;
// curl issues #283, #1308, #1450, #4800, #5403, #10038 and docs/KNOWN_BUGS 2.3.
import { X509Certificate as NodeX509 } from 'node:crypto';
import { readPkcs12, type Pkcs12Error, type Pkcs12Info } from '../../pki/pkcs12/read.ts';
import type { CurlClientCertOptions } from './cert-arg.ts';

export interface KeychainIdentity {
  /** The certificate's Common Name: what Secure Transport curl matches `--cert` against (R5). */
  cn: string;
  /** Whether the private key is in the Keychain too (only then is it an identity). */
  hasKey: boolean;
  /** PEM material, to make the request when the identity is used. */
  certPem?: string;
  keyPem?: string;
}

export interface Keychain {
  identities: KeychainIdentity[];
  /** Certificates without their key (what a PEM import by old curls left behind, #283). */
  certificates: string[];
}

export interface Identity {
  cn: string;
  certPem: string;
  keyPem: string;
}

export type EmulationOutcome =
  | { kind: 'not-applicable'; reason: string }
  | { kind: 'usage-error'; stderr: string; exit: number }
  | { kind: 'no-client-certificate'; lines: string[] }
  | { kind: 'failed'; lines: string[]; message: string; osStatus?: number; crash?: boolean; exit: number; keychain: Keychain }
  | { kind: 'identity'; lines: string[]; identity: Identity; keychain: Keychain; predicted?: boolean };

export interface EmulationContext {
  curlVersion: string;
  keychain: Keychain;
  /** undefined: not a regular file. */
  readFile(path: string): Buffer | undefined;
}

export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** OSStatus values (Apple SecBase.h) and the messages of sectransp.c's switch (R9). */
export const OSSTATUS = {
  duplicateItem: -25299, // errSecDuplicateItem
  itemNotFound: -25300, // errSecItemNotFound
  authFailed: -25293, // errSecAuthFailed
  pkcs12VerifyFailure: -25264, // errSecPkcs12VerifyFailure: MAC (wrong password, non-SHA-1 MAC)
  passphraseRequired: -25260, // errSecPassphraseRequired
  unknownFormat: -25257, // errSecUnknownFormat
  decode: -26275, // errSecDecode
  unsupportedAlgorithm: -67747, // errSecUnknownCryptoAlgorithm? predicted for PBES2 bags in the legacy decoder
} as const;

export function statusMessage(status: number, name: string, version: string): string {
  // c074ba64a8 (8.9.0): "Can't" became "cannot".
  const cant = versionAtLeast(version, '8.9.0') ? 'cannot' : "Can't";
  switch (status) {
    case OSSTATUS.authFailed:
    case OSSTATUS.pkcs12VerifyFailure:
      return `SSL: Incorrect password for the certificate "${name}" and its private key.`;
    case OSSTATUS.decode:
    case OSSTATUS.unknownFormat:
      return `SSL: Couldn't make sense of the data in the certificate "${name}" and its private key.`;
    case OSSTATUS.passphraseRequired:
      return `SSL The certificate "${name}" requires a password.`; // sic: no colon in sectransp.c
    case OSSTATUS.itemNotFound:
      return `SSL: ${cant} find the certificate "${name}" and its private key in the Keychain.`;
    default:
      return `SSL: ${cant} load the certificate "${name}" and its private key: OSStatus ${status}`;
  }
}

const cloneKeychain = (k: Keychain): Keychain => ({ identities: k.identities.map((i) => ({ ...i })), certificates: [...k.certificates] });

function pemCommonName(pem: string): string | undefined {
  const m = /-----BEGIN CERTIFICATE-----[^]*?-----END CERTIFICATE-----/.exec(pem);
  if (!m) return undefined;
  try {
    const subject = new NodeX509(m[0]).subject;
    return /(?:^|\n)CN=([^\n]*)/.exec(subject)?.[1];
  } catch {
    return undefined;
  }
}

export function emulateSecureTransport(o: CurlClientCertOptions, ctx: EmulationContext): EmulationOutcome {
  const v = ctx.curlVersion;
  // R11: Secure Transport was removed in 8.15.0 (08a3e8e19a).
  if (versionAtLeast(v, '8.15.0')) return { kind: 'not-applicable', reason: `curl ${v} has no Secure Transport backend (removed in 8.15.0): it behaves like OpenSSL curl` };
  // R2: 8.6.0 (07bcae89d5) refuses a blank --pass outright.
  if (o.passGivenEmpty && versionAtLeast(v, '8.6.0')) return { kind: 'usage-error', stderr: 'curl: option --pass: blank argument where content is expected\ncurl: try \'curl --help\' or \'curl --manual\' for more information\n', exit: 2 };
  if (!o.cert) return { kind: 'no-client-certificate', lines: [] };
  const keychain = cloneKeychain(ctx.keychain);
  const lines: string[] = [];
  const name = o.cert.name;
  const password = o.password;
  const fail = (status: number | undefined, message: string, extra: { crash?: boolean } = {}): EmulationOutcome => ({
    kind: 'failed',
    lines,
    message,
    ...(status !== undefined ? { osStatus: status } : {}),
    ...extra,
    exit: extra.crash ? 139 : 58, // 58: CURLE_SSL_CERTPROBLEM
    keychain,
  });
  // R3: the key file is never read.
  if (o.key !== undefined) lines.push('WARNING: SSL: CURLOPT_SSLKEY is ignored by Secure Transport. The private key must be in the Keychain.');

  // R5: the Keychain lookup. From 7.52 (7c9b9add6f) by exact, case-sensitive CN; before, by label (the same here).
  const lookup = (): { status: number; identity?: KeychainIdentity } => {
    const identities = keychain.identities.filter((i) => i.hasKey);
    if (!identities.length) return { status: OSSTATUS.itemNotFound };
    const found = identities.find((i) => i.cn === name);
    return found ? { status: 0, identity: found } : { status: 1 };
  };
  const useIdentity = (i: KeychainIdentity): EmulationOutcome => {
    if (!i.certPem || !i.keyPem) return { kind: 'identity', lines: [...lines, `Client certificate: ${i.cn}`], identity: { cn: i.cn, certPem: '', keyPem: '' }, keychain, predicted: true };
    lines.push(`Client certificate: ${i.cn}`); // R10
    return { kind: 'identity', lines, identity: { cn: i.cn, certPem: i.certPem, keyPem: i.keyPem }, keychain };
  };

  const data = ctx.readFile(name);
  // R4: before 7.78 a regular file is imported and anything else looked up; from 7.78
  // (fd9b40bf8d) the Keychain comes first and the file second.
  if (versionAtLeast(v, '7.78.0')) {
    const l = lookup();
    if (l.identity) return useIdentity(l.identity);
    if (!data) return fail(l.status, statusMessage(l.status, name, v));
  } else if (!data) {
    const l = lookup();
    return l.identity ? useIdentity(l.identity) : fail(l.status, statusMessage(l.status, name, v));
  }

  // R6 / R7: the certificate type.
  const old = !versionAtLeast(v, '7.78.0');
  if (o.certType === undefined) lines.push(`${old ? 'WARNING: ' : ''}SSL: Certificate type not set, assuming PKCS#12 format.`);
  else if (old ? !o.certType.startsWith('P12') : o.certType.toUpperCase() !== 'P12') {
    const text = 'SSL: The Security framework only supports loading identities that are in PKCS#12 format.';
    if (!old) return fail(undefined, text);
    lines.push(`WARNING: ${text}`); // before 7.78 a warning, and loading goes on (case-sensitive prefix check)
  }

  const bytes = data!;
  const isPem = bytes.toString('latin1').includes('-----BEGIN');
  // R8a: a PEM file.
  if (isPem) {
    if (versionAtLeast(v, '7.59.0')) return fail(OSSTATUS.itemNotFound, statusMessage(OSSTATUS.itemNotFound, name, v));
    // Before 7.59 SecPKCS12Import ran SecKeychainItemImport, which recognises PEM and stores
    // the certificate (without its key) in the login Keychain; the next run finds a duplicate (#283, #1450).
    const cn = pemCommonName(bytes.toString('latin1')) ?? name;
    if (keychain.certificates.includes(cn)) return fail(OSSTATUS.duplicateItem, statusMessage(OSSTATUS.duplicateItem, name, v));
    keychain.certificates.push(cn);
    if (!versionAtLeast(v, '7.54.1')) return fail(undefined, 'Segmentation fault: 11', { crash: true }); // 7.54.0 and older crash on the first run
    return fail(0, statusMessage(0, name, v)); // 7.54.1-7.58: OSStatus 0
  }

  // R8b-R8g: a DER file, decoded as PKCS#12 by Apple's legacy decoder (libsecurity_pkcs12).
  if (password === undefined) {
    // R8g: before 7.59 SecPKCS12Import fails as "Incorrect password"; R8b: from 7.59, -25260.
    return versionAtLeast(v, '7.59.0') ? fail(OSSTATUS.passphraseRequired, statusMessage(OSSTATUS.passphraseRequired, name, v)) : fail(OSSTATUS.pkcs12VerifyFailure, statusMessage(OSSTATUS.pkcs12VerifyFailure, name, v));
  }
  let info: Pkcs12Info;
  try {
    info = readPkcs12(new Uint8Array(bytes), password, name);
  } catch (e) {
    const code = (e as Pkcs12Error).code;
    if (code === 'not-pkcs12') return fail(OSSTATUS.unknownFormat, statusMessage(OSSTATUS.unknownFormat, name, v)); // R8c
    return fail(OSSTATUS.pkcs12VerifyFailure, statusMessage(OSSTATUS.pkcs12VerifyFailure, name, v)); // R8d: wrong password
  }
  // R8c: no MacData. R8d: a MAC other than SHA-1 (the CSP derives SHA-1 only, pkcs12Derive.cpp).
  if (!info.mac) return fail(OSSTATUS.unknownFormat, statusMessage(OSSTATUS.unknownFormat, name, v));
  if (info.mac.algorithm !== 'sha1') return fail(OSSTATUS.pkcs12VerifyFailure, statusMessage(OSSTATUS.pkcs12VerifyFailure, name, v));
  // R8e (predicted): the legacy decoder knows only the PKCS#12 PBEs, not PBES2.
  const pbes2 = info.contents.some((c) => c.encryption?.scheme === 'PBES2') || info.key?.encryption?.scheme === 'PBES2';
  if (pbes2) return fail(OSSTATUS.unsupportedAlgorithm, statusMessage(OSSTATUS.unsupportedAlgorithm, name, v));
  if (!info.key || info.leafIndex < 0) return fail(OSSTATUS.itemNotFound, statusMessage(OSSTATUS.itemNotFound, name, v));
  // curl takes the first certificate item as the identity's certificate.
  const leaf = info.certificates[0]!;
  const cn = /(?:^|, )CN=([^,]*)/.exec(leaf.subject)?.[1] ?? name;
  const material = { cn, hasKey: true, certPem: leaf.pem, keyPem: info.key.pem };
  if (versionAtLeast(v, '7.59.0')) {
    // R8f: SecItemImport with a NULL keychain decodes, but SecIdentityCreateWithCertificate
    // needs the key in a keychain already (KNOWN_BUGS 2.3, #4800, #5403, #10038).
    const inKeychain = keychain.identities.find((i) => i.hasKey && i.cn === cn);
    if (!inKeychain || !info.keyMatchesLeaf || info.leafIndex !== 0) return fail(OSSTATUS.itemNotFound, statusMessage(OSSTATUS.itemNotFound, name, v));
  } else {
    if (!info.keyMatchesLeaf || info.leafIndex !== 0) return fail(OSSTATUS.itemNotFound, statusMessage(OSSTATUS.itemNotFound, name, v));
    // Before 7.59 SecPKCS12Import imported the identity into the login Keychain.
    if (!keychain.identities.some((i) => i.cn === cn && i.hasKey)) keychain.identities.push(material);
  }
  lines.push(`Client certificate: ${cn}`); // R10: only the leaf is sent
  return { kind: 'identity', lines, identity: { cn, certPem: leaf.pem, keyPem: info.key.pem }, keychain };
}
