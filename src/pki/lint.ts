// Findings about certificates that a modern TLS stack would refuse or that will bite later.
// Each has a stable id (the reference, docs/reference/lint.md, is generated from LINT_RULES), a severity and one line of why.
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
  /** The certificates are for public trust: the CA/Browser Forum's and the root programs' dated rules apply. */
  publicTrust?: boolean;
}

/**
 * The longest a publicly trusted TLS certificate may be valid, by the day it was issued
 * (notBefore): CA/Browser Forum ballot SC-081v3, and the 398 days before it.
 */
export const PUBLIC_VALIDITY_CAPS: readonly { from: string; days: number }[] = [
  { from: '2029-03-15', days: 47 },
  { from: '2027-03-15', days: 100 },
  { from: '2026-03-15', days: 200 },
  { from: '1970-01-01', days: 398 },
];

/** From this day public subscriber certificates assert serverAuth only (Chrome Root Program Policy 1.8, §1.3.2). */
export const PUBLIC_SERVER_AUTH_ONLY_FROM = '2027-03-15';

export function publicValidityCap(issued: Date): { from: string; days: number } {
  return PUBLIC_VALIDITY_CAPS.find((c) => issued >= new Date(`${c.from}T00:00:00Z`))!;
}

/** Every finding: its severity and when it is reported (the reference is generated from this). */
export const LINT_RULES = {
  'rsa-key-too-small': { severity: 'error', when: 'RSA below 2048 bits: OpenSSL at security level 2 refuses it ("ee key too small"), as with document 001\'s 1024-bit keys' },
  'sha1-signature': { severity: 'error', when: 'a non-root certificate signed with SHA-1' },
  'no-san': { severity: 'warning', when: 'the CN is a host name and there is no subjectAltName: clients ignore the CN' },
  'duplicate-serial': { severity: 'error', when: 'two certificates with the same issuer and serial (document 001\'s `-set_serial 01`, twice)' },
  expired: { severity: 'error', when: 'after notAfter' },
  'not-yet-valid': { severity: 'error', when: 'before notBefore' },
  'expiring-soon': { severity: 'warning', when: 'fewer than 30 days left (`expiringWithinDays`, `--days`)' },
  'server-validity-too-long': { severity: 'warning', when: 'a server certificate valid for more than 398 days' },
  'key-mismatch': { severity: 'error', when: 'the key does not belong to the certificate' },
  'chain-out-of-order': { severity: 'error', when: 'a certificate is not followed by its issuer' },
  'chain-incomplete': { severity: 'error', when: 'with trust anchors given (`ca`, `--ca`): the chain does not reach one' },
  'ca-without-basic-constraints': { severity: 'error', when: 'it issued another certificate here but lacks CA:TRUE' },
  'client-without-client-auth': { severity: 'error', when: 'for the declared role client: extendedKeyUsage lacks clientAuth' },
  'server-without-server-auth': { severity: 'error', when: 'for the declared role server: extendedKeyUsage lacks serverAuth' },
  'v1-certificate': { severity: 'warning', when: 'a version 1 certificate (what `openssl x509 -req` writes without `-extfile`)' },
  'host-mismatch': { severity: 'error', when: 'with `host`: the certificate does not cover the name (an IP is checked against IP SANs)' },
  'serial-not-positive': { severity: 'error', when: 'serial number 0 (RFC 5280 §4.1.2.2 requires a positive one)' },
  'serial-too-long': { severity: 'error', when: 'a serial number longer than 20 octets (RFC 5280 §4.1.2.2)' },
  'validity-inverted': { severity: 'error', when: 'notAfter is not after notBefore' },
  'common-name-too-long': { severity: 'error', when: 'a CN longer than 64 characters (RFC 5280 ub-common-name)' },
  'san-not-a-name': { severity: 'error', when: 'a DNS subjectAltName that is not a host name' },
  'issuer-without-client-auth': { severity: 'error', when: 'a client certificate whose issuing CA has an extendedKeyUsage without clientAuth (Let\'s Encrypt\'s Generation Y intermediates): OpenSSL\'s chain purpose check refuses it' },
  'public-validity-too-long': { severity: 'error', when: 'with public trust (`--public`): a server certificate valid longer than SC-081 allows on the day it was issued: 398 days, 200 from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15' },
  'public-not-server-auth-only': { severity: 'error', when: 'with public trust: a server certificate issued from 2027-03-15 whose extendedKeyUsage is not serverAuth alone (Chrome Root Program Policy 1.8): no public CA issues client-auth certificates' },
} as const satisfies Record<string, { severity: Severity; when: string }>;

export type LintId = keyof typeof LINT_RULES;
export const LINT_IDS = Object.keys(LINT_RULES) as LintId[];

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
  const add = (id: LintId, subject: string, message: string) => out.push({ id, severity: LINT_RULES[id].severity, subject, message });

  for (const { c, f, label, declared, primary } of all) {
    const role = declared ?? roleOf(f);
    if (f.keyType === 'rsa' && (f.keyBits ?? 0) < 2048) add('rsa-key-too-small', label, `RSA key of ${f.keyBits} bits: OpenSSL at security level 2 refuses it ("ee key too small"); use 2048 or more`);
    if (f.signatureHash === 'sha1' && !f.selfSigned) add('sha1-signature', label, 'signed with SHA-1: refused by current browsers, Go, Java 17+ and OpenSSL at security level 2');
    if (f.version === 1) add('v1-certificate', label, 'version 1 certificate (as `openssl x509 -req` writes without -extfile): no extensions at all, so no SAN, key usage or CA flag');
    if (role !== 'ca' && f.san.length === 0 && f.commonName && looksLikeHost(f.commonName)) add('no-san', label, `no subjectAltName: clients ignore the CN '${f.commonName}' (RFC 6125) and fail with a host name mismatch`);
    // What RFC 5280 forbids: what a `broken: true` declaration makes on purpose.
    const serialBytes = Buffer.from(f.serial.length % 2 ? `0${f.serial}` : f.serial, 'hex');
    if (/^0*$/.test(f.serial)) add('serial-not-positive', label, 'serial number 0: RFC 5280 §4.1.2.2 requires a positive integer');
    if (serialBytes.length > 20) add('serial-too-long', label, `serial number of ${serialBytes.length} octets: RFC 5280 §4.1.2.2 allows at most 20`);
    if (new Date(f.notAfter) <= new Date(f.notBefore)) add('validity-inverted', label, `notAfter ${f.notAfter} is not after notBefore ${f.notBefore}: valid at no time`);
    if (f.commonName && [...f.commonName].length > 64) add('common-name-too-long', label, `CN of ${[...f.commonName].length} characters: X.520 allows at most 64`);
    for (const name of f.san.filter((n) => n.startsWith('dns:'))) {
      const why = dnsNameProblem(name.slice(4));
      if (why) add('san-not-a-name', label, `subjectAltName ${name.slice(0, 80)} ${why}`);
    }
    if (new Date(f.notAfter) < now) add('expired', label, `expired on ${f.notAfter}`);
    else if (f.daysLeft < soon) add('expiring-soon', label, `expires in ${f.daysLeft} days (${f.notAfter})`);
    if (new Date(f.notBefore) > now) add('not-yet-valid', label, `not valid before ${f.notBefore}`);
    const days = (new Date(f.notAfter).getTime() - new Date(f.notBefore).getTime()) / 86_400_000;
    if (role === 'server' && input.publicTrust) publicRules(f, days, label, add);
    else if (role === 'server' && days > 398) add('server-validity-too-long', label, `valid for ${Math.round(days)} days: browsers refuse server certificates valid for more than 398 days`);
    // Only when the use is known (a declared role): without extendedKeyUsage any use is allowed.
    if (role === 'client' && f.extendedKeyUsage.length && !f.extendedKeyUsage.includes('clientAuth')) add('client-without-client-auth', label, 'extendedKeyUsage lacks clientAuth: servers verifying client certificates refuse it ("unsupported certificate purpose")');
    if (role === 'server' && f.extendedKeyUsage.length && !f.extendedKeyUsage.includes('serverAuth')) add('server-without-server-auth', label, 'extendedKeyUsage lacks serverAuth: TLS clients refuse it as a server certificate');
    // A certificate that issued another one here must be a CA.
    const issued = all.some((o) => o.c !== c && o.c.issuer === c.subject && o.f.authorityKeyId === (f.subjectKeyId ?? o.f.authorityKeyId));
    if (issued && !f.isCa) add('ca-without-basic-constraints', label, 'issues other certificates here but has no basicConstraints CA:TRUE: verifiers refuse the chain');
    if (input.host && primary && !(isIP(input.host) ? nodeView(c).checkIP(input.host) : nodeView(c).checkHost(input.host))) add('host-mismatch', label, `does not cover '${input.host}' (SAN: ${f.san.join(', ') || 'none'})`);
  }
  // A client certificate's chain is checked for the client purpose too: an issuing CA whose EKU lacks clientAuth fails it.
  for (const file of input.files) {
    const [leaf, ...issuers] = file.certificates;
    const leafFacts = leaf && facts(leaf, now);
    if (!leafFacts || (file.role ?? roleOf(leafFacts)) !== 'client') continue;
    for (const [i, ca] of [...issuers, ...(input.roots ?? [])].entries()) {
      const caFacts = facts(ca, now);
      if (!caFacts.isCa || !caFacts.extendedKeyUsage.length || caFacts.extendedKeyUsage.includes('clientAuth')) continue;
      add('issuer-without-client-auth', i < issuers.length ? `${file.label}[${i + 1}]` : `root ${caFacts.subject}`, `the CA ${caFacts.subject} is limited to ${caFacts.extendedKeyUsage.join(', ')}: a server checking client certificates refuses ${file.label} (OpenSSL error 26 at the CA's depth, nginx "unsupported certificate purpose"); use a private CA for client certificates`);
    }
  }
  // Duplicate issuer + serial (document 001 signs two certificates with -set_serial 01).
  const seen = new Map<string, string>();
  for (const { c, f, label } of all) {
    const k = `${c.issuer}|${f.serial}`;
    if (seen.has(k) && !all.some((o) => o.label === seen.get(k) && o.c.equal(c))) add('duplicate-serial', label, `same issuer and serial ${f.serial} as ${seen.get(k)}: RFC 5280 requires unique serials, and clients that cache by them see one certificate`);
    else if (!seen.has(k)) seen.set(k, label);
  }
  for (const file of input.files) {
    const certs = file.certificates;
    if (file.key && certs[0] && !publicKeyMatches(certs[0], file.key)) add('key-mismatch', file.label, 'the private key does not belong to the certificate ("key values mismatch")');
    for (let i = 0; i + 1 < certs.length; i++) {
      if (certs[i]!.issuer !== certs[i + 1]!.subject) {
        add('chain-out-of-order', `${file.label}[${i + 1}]`, `is not the issuer of the certificate before it (${certs[i]!.issuer}): servers must send the leaf first, then each issuer`);
        break;
      }
    }
    // Whether intermediates are missing can only be told against the roots a client trusts.
    const last = certs.at(-1);
    const roots = input.roots;
    if (roots?.length && last && !roots.some((r) => r.subject === last.subject || r.subject === last.issuer)) {
      add('chain-incomplete', file.label, `the chain ends at '${last.subject}', issued by '${last.issuer}', which is neither included nor a trusted root: an intermediate is missing`);
    }
  }
  return out;
}

/** SC-081's cap on validity and the root programs' serverAuth-only rule, by the day the certificate was issued. */
function publicRules(f: CertificateFacts, days: number, label: string, add: (id: LintId, subject: string, message: string) => void): void {
  const issued = new Date(f.notBefore);
  const cap = publicValidityCap(issued);
  if (days > cap.days) add('public-validity-too-long', label, `valid for ${Math.round(days)} days, issued ${f.notBefore.slice(0, 10)}: publicly trusted certificates issued from ${cap.from} may be valid for at most ${cap.days} days (CA/Browser Forum SC-081)`);
  const others = f.extendedKeyUsage.filter((u) => u !== 'serverAuth');
  if (issued >= new Date(`${PUBLIC_SERVER_AUTH_ONLY_FROM}T00:00:00Z`) && others.length) {
    add('public-not-server-auth-only', label, `extendedKeyUsage also has ${others.join(', ')}: public certificates issued from ${PUBLIC_SERVER_AUTH_ONLY_FROM} assert serverAuth alone (Chrome Root Program Policy 1.8); client certificates need a private CA (certharness pki init)`);
  }
}

export function formatFinding(f: Finding): string {
  return `${f.subject}: ${f.severity} ${f.id}: ${f.message}`;
}
