// Will a PKCS#12 bundle import on a platform? Verdicts from what each platform's decoder
// supports, with the error it shows and the fix. Sources and confidence per rule are in
// docs/macos-curl.md "PKCS#12 on other platforms"; "predicted" marks rules derived from source, not seen.
import type { Pkcs12Info } from './read.ts';

export const PLATFORMS = ['macos', 'ios', 'curl-securetransport', 'java', 'windows', 'android', 'nss', 'gnutls', 'openssl1', 'openssl3'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface Verdict {
  platform: Platform;
  ok: boolean;
  /** What the platform says when it refuses. */
  error?: string;
  /** Why, in one line. */
  reason?: string;
  predicted?: boolean;
  note?: string;
}

export interface BundleFacts {
  info?: Pkcs12Info;
  password: string | undefined;
}

const LEGACY_PROVIDER_ONLY = ['pbeWithSHA1And40BitRC2-CBC', 'pbeWithSHA1And128BitRC2-CBC', 'pbeWithSHA1And40BitRC4', 'pbeWithSHA1And128BitRC4'];

function schemes(info: Pkcs12Info): { name: string; cipher?: string; prf?: string }[] {
  const out = info.contents.filter((c) => c.encryption).map((c) => ({ name: c.encryption!.scheme, ...(c.encryption!.cipher ? { cipher: c.encryption!.cipher } : {}), ...(c.encryption!.prf ? { prf: c.encryption!.prf } : {}) }));
  if (info.key?.encryption) out.push({ name: info.key.encryption.scheme, ...(info.key.encryption.cipher ? { cipher: info.key.encryption.cipher } : {}), ...(info.key.encryption.prf ? { prf: info.key.encryption.prf } : {}) });
  return out;
}

export function verdicts(facts: BundleFacts, platforms: readonly Platform[] = PLATFORMS): Verdict[] {
  const info = facts.info!;
  const mac = info.mac?.algorithm;
  const all = schemes(info);
  const pbes2 = all.some((s) => s.name === 'PBES2');
  const pbes2Apple15 = all.every((s) => s.name !== 'PBES2' || (s.cipher === 'AES-256-CBC' && s.prf === 'hmacWithSHA256'));
  const legacyOnly = all.some((s) => LEGACY_PROVIDER_ONLY.includes(s.name));
  const emptyPassword = !facts.password;
  // Java's PBE keys take ASCII passwords only ("getSecretKey failed: Password is not ASCII").
  const nonAscii = /[^\x00-\x7f]/.test(facts.password ?? '');
  const encrypted = all.length > 0;
  const pairProblem = !info.key ? 'no private key in the bundle' : !info.keyMatchesLeaf ? 'the key does not match any certificate' : info.leafIndex !== 0 ? 'the leaf is not the first certificate' : undefined;
  const v = (platform: Platform): Verdict => {
    switch (platform) {
      case 'macos':
      case 'curl-securetransport': {
        // Apple's legacy decoder (libsecurity_pkcs12): `security import`, SecItemImport, Secure Transport curl.
        const fail = (error: string, reason: string, predicted = false): Verdict => ({ platform, ok: false, error, reason, ...(predicted ? { predicted } : {}) });
        if (emptyPassword) return fail('-25260 / -25264', 'the legacy decoder needs a non-empty password');
        if (!info.mac) return fail('-25257 (errSecUnknownFormat)', 'no MAC: the legacy decoder requires MacData');
        if (mac !== 'sha1') return fail('-25264 MAC verification failed during PKCS12 import (wrong password?)', `the MAC is ${mac}: the legacy decoder derives SHA-1 only`, platform === 'macos');
        if (pbes2) return fail('-67747', 'PBES2-encrypted bags: the legacy decoder knows only the PKCS#12 PBEs', true);
        if (platform === 'curl-securetransport') {
          if (pairProblem) return fail('-25300', pairProblem);
          if (!info.key?.localKeyId) return { platform, ok: true, note: 'the key has no localKeyId: matching may fail (-25300)', predicted: true };
          return { platform, ok: true, note: 'curl 7.59 and later also need the key already in the Keychain (KNOWN_BUGS 2.3)' };
        }
        return { platform, ok: true };
      }
      case 'ios': {
        // SecPKCS12Import (p12import.c). SHA-2 MACs and AES-256/PBKDF2-HMAC-SHA256 from Security-61439 (iOS 18, macOS 15).
        if (emptyPassword) return { platform, ok: false, error: 'errSecAuthFailed', reason: 'an empty password is refused (macOS 26 too)' };
        const old = mac !== 'sha1' || pbes2 ? 'iOS 17 / macOS 14 and older refuse it (SHA-1 MAC and PKCS#12 PBEs only)' : undefined;
        if (!pbes2Apple15) return { platform, ok: false, error: 'errSecDecode', reason: 'PBES2 other than AES-256-CBC with PBKDF2-HMAC-SHA256', predicted: true };
        return old ? { platform, ok: true, note: old } : { platform, ok: true };
      }
      case 'java':
        if (nonAscii && encrypted) return { platform, ok: false, error: 'keystore password was incorrect', reason: 'the password is not ASCII: Java decrypts PKCS#12 with ASCII passwords only ("Password is not ASCII")' };
        if (mac !== undefined && mac !== 'sha1') return { platform, ok: true, note: `Java before 8u301 / 11.0.12 fails: "Algorithm HmacPBE${mac.toUpperCase()} not available"` };
        if (pbes2) return { platform, ok: true, note: 'Java before 8u301 / 11.0.12 cannot decrypt PBES2 bags' };
        return { platform, ok: true };
      case 'windows':
        if ((mac && mac !== 'sha1') || pbes2) return { platform, ok: true, note: 'Windows Server 2016 / Windows 10 before 1709 and older refuse it: "The password you entered is incorrect"' };
        return { platform, ok: true };
      case 'android':
        if ((mac && mac !== 'sha1') || pbes2) return { platform, ok: true, note: 'Android 13 and older refuse it as an incorrect password' };
        return { platform, ok: true };
      case 'nss':
        // NSS (pk12util, Firefox, Chrome on Linux) verifies the MAC before it decodes the bags.
        if (!info.mac) return { platform, ok: false, error: 'PKCS12 decode validate bags failed: SEC_ERROR_INVALID_ARGS', reason: 'no MAC: NSS requires MacData' };
        return { platform, ok: true };
      case 'gnutls':
        if (!info.mac) return { platform, ok: false, error: 'verify_mac: ASN1 parser: Element was not found', reason: 'no MAC: GnuTLS requires MacData' };
        return { platform, ok: true };
      case 'openssl1':
      case 'openssl3': {
        // The library's PKCS12_parse, as curl, Node and Python use it: with a password it verifies the MAC.
        if (!info.mac && !emptyPassword) return { platform, ok: false, error: platform === 'openssl3' ? 'mac absent' : 'error:23076071:PKCS12 routines:PKCS12_parse:mac verify failure', reason: 'no MAC: PKCS12_parse (curl, Node, Python) refuses it; only the openssl pkcs12 command reads it, with "Warning: MAC is absent!"', ...(platform === 'openssl1' ? { predicted: true } : {}) };
        if (platform === 'openssl3' && legacyOnly) return { platform, ok: false, error: 'error:0308010C:digital envelope routines::unsupported', reason: 'RC2/RC4 need the legacy provider (openssl pkcs12 -legacy; Linux curl and Node cannot load it)' };
        return { platform, ok: true };
      }
    }
  };
  return platforms.map(v);
}

/** The one command that makes a bundle load everywhere. */
export function fixCommand(file: string, password: string | undefined): string {
  const out = file.replace(/(\.p12|\.pfx)?$/i, '-compat.p12');
  return `certharness p12 convert ${file} ${out} --profile compat --password ${password ?? 'PASSWORD'}   (or: openssl pkcs12 -export -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 ...)`;
}

