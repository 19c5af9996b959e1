// Findings about certificates that a modern TLS stack would refuse or that will bite later.
// Each has a stable id (documented in README "Lint findings"), a severity and one line of why.
import { dnsNameProblem } from './rules.ts';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from './crypto.ts';
import { facts, nodeView, publicKeyMatches, type CertificateFacts } from './inspect.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  id: string;
  severity: Severity;
  /** Which certificate, as a person names it: "server.crt" or "server.crt[1]". */
  subject: string;
  message: string;
}

export interface LintInput {
  /** Certificates with a label each (file name, PKI item name); a file's chain in file order. */
  files: { label: string; certificates: x509.X509Certificate[]; key?: KeyObject; role?: 'server' | 'client' | 'ca' }[];
  now?: Date;
  /** Warn when fewer days than this remain (default 30, the document 003 renewal window). */
  expiringWithinDays?: number;
  /** The host name clients dial, to check the server certificate covers it. */
  host?: string;
  /** Trust anchors: when given, each file's chain must reach one of them. */
  roots?: x509.X509Certificate[];
}

export const LINT_IDS = [
  'rsa-key-too-small',
  'sha1-signature',
  'no-san',
  'duplicate-serial',
  'expired',
  'not-yet-valid',
  'expiring-soon',
  'server-validity-too-long',
  'key-mismatch',
  'chain-out-of-order',
  'chain-incomplete',
  'ca-without-basic-constraints',
  'client-without-client-auth',
  'server-without-server-auth',
  'v1-certificate',
  'host-mismatch',
  'serial-not-positive',
  'serial-too-long',
  'validity-inverted',
  'common-name-too-long',
  'san-not-a-name',
] as const;

const looksLikeHost = (cn: string) => cn === 'localhost' || isIP(cn) !== 0 || /^[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9-]+)+$/i.test(cn);

type Role = 'ca' | 'server' | 'client' | 'leaf';
function roleOf(f: CertificateFacts): Role {
  if (f.isCa) return 'ca';
  if (f.extendedKeyUsage.includes('serverAuth')) return 'server';
  if (f.extendedKeyUsage.includes('clientAuth')) return 'client';
  return 'leaf';
}

export function lint(input: LintInput): Finding[] {
  const now = input.now ?? new Date();
  const soon = input.expiringWithinDays ?? 30;
  const out: Finding[] = [];
  const all = input.files.flatMap((file, fi) =>
    file.certificates.map((c, i) => ({
      c,
      f: facts(c, now),
      label: file.certificates.length > 1 ? `${file.label}[${i}]` : file.label,
      declared: i === 0 ? file.role : undefined,
      // The host check concerns the certificate being examined, not its issuers or neighbours.
      primary: fi === 0 && i === 0,
    })),
  );
  const add = (id: (typeof LINT_IDS)[number], severity: Severity, subject: string, message: string) => out.push({ id, severity, subject, message });

  for (const { c, f, label, declared, primary } of all) {
    const role = declared ?? roleOf(f);
    if (f.keyType === 'rsa' && (f.keyBits ?? 0) < 2048) add('rsa-key-too-small', 'error', label, `RSA key of ${f.keyBits} bits: OpenSSL at security level 2 refuses it ("ee key too small"); use 2048 or more`);
    if (f.signatureHash === 'sha1' && !f.selfSigned) add('sha1-signature', 'error', label, 'signed with SHA-1: refused by current browsers, Go, Java 17+ and OpenSSL at security level 2');
    if (f.version === 1) add('v1-certificate', 'warning', label, 'version 1 certificate (as `openssl x509 -req` writes without -extfile): no extensions at all, so no SAN, key usage or CA flag');
    if (role !== 'ca' && f.san.length === 0 && f.commonName && looksLikeHost(f.commonName)) add('no-san', 'warning', label, `no subjectAltName: clients ignore the CN '${f.commonName}' (RFC 6125) and fail with a host name mismatch`);
    // What RFC 5280 forbids: what a `broken: true` declaration makes on purpose.
    const serialBytes = Buffer.from(f.serial.length % 2 ? `0${f.serial}` : f.serial, 'hex');
    if (/^0*$/.test(f.serial)) add('serial-not-positive', 'error', label, 'serial number 0: RFC 5280 §4.1.2.2 requires a positive integer');
    if (serialBytes.length > 20) add('serial-too-long', 'error', label, `serial number of ${serialBytes.length} octets: RFC 5280 §4.1.2.2 allows at most 20`);
    if (new Date(f.notAfter) <= new Date(f.notBefore)) add('validity-inverted', 'error', label, `notAfter ${f.notAfter} is not after notBefore ${f.notBefore}: valid at no time`);
    if (f.commonName && [...f.commonName].length > 64) add('common-name-too-long', 'error', label, `CN of ${[...f.commonName].length} characters: X.520 allows at most 64`);
    for (const name of f.san.filter((n) => n.startsWith('dns:'))) {
      const why = dnsNameProblem(name.slice(4));
      if (why) add('san-not-a-name', 'error', label, `subjectAltName ${name.slice(0, 80)} ${why}`);
    }
    if (new Date(f.notAfter) < now) add('expired', 'error', label, `expired on ${f.notAfter}`);
    else if (f.daysLeft < soon) add('expiring-soon', 'warning', label, `expires in ${f.daysLeft} days (${f.notAfter})`);
    if (new Date(f.notBefore) > now) add('not-yet-valid', 'error', label, `not valid before ${f.notBefore}`);
    const days = (new Date(f.notAfter).getTime() - new Date(f.notBefore).getTime()) / 86_400_000;
    if (role === 'server' && days > 398) add('server-validity-too-long', 'warning', label, `valid for ${Math.round(days)} days: browsers refuse server certificates valid for more than 398 days`);
    // Only when the use is known (a declared role): without extendedKeyUsage any use is allowed.
    if (role === 'client' && f.extendedKeyUsage.length && !f.extendedKeyUsage.includes('clientAuth')) add('client-without-client-auth', 'error', label, 'extendedKeyUsage lacks clientAuth: servers verifying client certificates refuse it ("unsupported certificate purpose")');
    if (role === 'server' && f.extendedKeyUsage.length && !f.extendedKeyUsage.includes('serverAuth')) add('server-without-server-auth', 'error', label, 'extendedKeyUsage lacks serverAuth: TLS clients refuse it as a server certificate');
    // A certificate that issued another one here must be a CA.
    const issued = all.some((o) => o.c !== c && o.c.issuer === c.subject && o.f.authorityKeyId === (f.subjectKeyId ?? o.f.authorityKeyId));
    if (issued && !f.isCa) add('ca-without-basic-constraints', 'error', label, 'issues other certificates here but has no basicConstraints CA:TRUE: verifiers refuse the chain');
    if (input.host && primary && !(isIP(input.host) ? nodeView(c).checkIP(input.host) : nodeView(c).checkHost(input.host))) add('host-mismatch', 'error', label, `does not cover '${input.host}' (SAN: ${f.san.join(', ') || 'none'})`);
  }
  // Duplicate issuer + serial (document 001 signs two certificates with -set_serial 01).
  const seen = new Map<string, string>();
  for (const { c, f, label } of all) {
    const k = `${c.issuer}|${f.serial}`;
    if (seen.has(k) && !all.some((o) => o.label === seen.get(k) && o.c.equal(c))) add('duplicate-serial', 'error', label, `same issuer and serial ${f.serial} as ${seen.get(k)}: RFC 5280 requires unique serials, and clients that cache by them see one certificate`);
    else if (!seen.has(k)) seen.set(k, label);
  }
  for (const file of input.files) {
    const certs = file.certificates;
    if (file.key && certs[0] && !publicKeyMatches(certs[0], file.key)) add('key-mismatch', 'error', file.label, 'the private key does not belong to the certificate ("key values mismatch")');
    for (let i = 0; i + 1 < certs.length; i++) {
      if (certs[i]!.issuer !== certs[i + 1]!.subject) {
        add('chain-out-of-order', 'error', `${file.label}[${i + 1}]`, `is not the issuer of the certificate before it (${certs[i]!.issuer}): servers must send the leaf first, then each issuer`);
        break;
      }
    }
    // Whether intermediates are missing can only be told against the roots a client trusts.
    const last = certs.at(-1);
    const roots = input.roots;
    if (roots?.length && last && !roots.some((r) => r.subject === last.subject || r.subject === last.issuer)) {
      add('chain-incomplete', 'error', file.label, `the chain ends at '${last.subject}', issued by '${last.issuer}', which is neither included nor a trusted root: an intermediate is missing`);
    }
  }
  return out;
}

export function formatFinding(f: Finding): string {
  return `${f.subject}: ${f.severity} ${f.id}: ${f.message}`;
}
