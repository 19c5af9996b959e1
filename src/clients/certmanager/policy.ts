// Document 003's rules as pure functions of the files and the time: is a user's pair usable,
// is today the renewal day ("every monday"), is renewal due ("less than 30 days to expirancy").
import { X509Certificate } from 'node:crypto';
import { loadPrivateKey } from '../../pki/keys.ts';
import { parseCertificates, publicKeyMatches } from '../../pki/inspect.ts';
import type { PemSet } from './live-files.ts';

export const DAY_MS = 86_400_000;

export interface PairCheck {
  ok: boolean;
  /** Why the pair cannot be used, one sentence each, naming the file. */
  reasons: string[];
  notAfter?: Date;
  serial?: string;
  fingerprint?: string;
}

/** A pair is usable when it parses, the key matches, it is valid now and it covers the host name. */
export function checkPair(set: Partial<PemSet>, hostname: string, now: Date): PairCheck {
  const reasons: string[] = [];
  for (const f of ['privkey', 'cert', 'chain'] as const) if (!set[f]) reasons.push(`${f}.pem is missing`);
  if (!set.cert) return { ok: false, reasons };
  let cert: X509Certificate;
  try {
    const parsed = parseCertificates(set.cert);
    if (!parsed.length) throw new Error('no certificate in it');
    cert = new X509Certificate(set.cert);
  } catch (e) {
    return { ok: false, reasons: [...reasons, `cert.pem does not parse: ${(e as Error).message}`] };
  }
  const notAfter = new Date(cert.validTo);
  const facts = { notAfter, serial: cert.serialNumber.toLowerCase(), fingerprint: cert.fingerprint256 };
  if (set.privkey) {
    try {
      const key = loadPrivateKey(set.privkey, undefined, 'privkey.pem');
      if (!publicKeyMatches(parseCertificates(set.cert)[0]!, key.object)) reasons.push('privkey.pem does not match cert.pem (key values mismatch)');
    } catch (e) {
      reasons.push(`privkey.pem cannot be read: ${(e as Error).message}`);
    }
  }
  if (set.chain) {
    try {
      if (!parseCertificates(set.chain).length) reasons.push('chain.pem holds no certificate');
    } catch (e) {
      reasons.push(`chain.pem does not parse: ${(e as Error).message}`);
    }
  }
  const notBefore = new Date(cert.validFrom);
  if (now < notBefore) reasons.push(`cert.pem is not valid before ${notBefore.toISOString()}`);
  if (now > notAfter) reasons.push(`cert.pem expired on ${notAfter.toISOString()}`);
  if (!cert.checkHost(hostname)) reasons.push(`cert.pem is for ${(cert.subjectAltName ?? cert.subject).replace(/\n/g, ', ')}, not ${hostname}`);
  return { ok: reasons.length === 0, reasons, ...facts };
}

/** Fractional days until notAfter. */
export function daysLeft(notAfter: Date, now: Date): number {
  return (notAfter.getTime() - now.getTime()) / DAY_MS;
}

/** "renew the certificate if there are less than 30 days to expirancy". */
export function renewalDue(notAfter: Date, now: Date, thresholdDays: number): boolean {
  return daysLeft(notAfter, now) < thresholdDays;
}

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** "attempt renewal every monday", in UTC: a container's clock has no other zone. */
export function isRenewalDay(now: Date, weekday: (typeof WEEKDAYS)[number]): boolean {
  return WEEKDAYS[now.getUTCDay()] === weekday;
}
