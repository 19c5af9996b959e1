// What RFC 5280 and the CA/Browser Forum rules forbid in a certificate declaration, checked
// when the scenario loads. A scenario that wants such a certificate on purpose says
// `broken: true`: it is then made (where it can be encoded at all) and `pki lint` names the fault.
import { isIP } from 'node:net';
import { parseSubject } from './names.ts';
import { generalName, serialToHex } from './certificate.ts';
import { resolveWhen } from './when.ts';

type Finding = { key?: string; message: string };

/** X.520 upper bounds (RFC 5280 appendix A) of the attributes a scenario can write. */
const ATTRIBUTE_MAX: Record<string, number> = { CN: 64, O: 64, OU: 64, L: 128, ST: 128, emailAddress: 255, E: 255, serialNumber: 64 };

/** RFC 5280 §4.1.2.5: UTCTime up to 2049, GeneralizedTime after; nothing past 9999. */
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59);
const EARLIEST = Date.UTC(1950, 0, 1);

export function checkCertificateDecl(d: Record<string, unknown>): Finding[] {
  if (d.certFile !== undefined) return []; // loaded, not made: lint speaks for it
  const out: Finding[] = [...validityFindings(d)];
  if (d.revoked !== undefined && d.revoked !== false && d.issuer === undefined) out.push({ key: 'revoked', message: 'is set on a self-signed certificate: no CA of the scenario issued it, so none can revoke it' });
  // A zero serial cannot be encoded here even on purpose: the X.509 library replaces it with a random one.
  if (d.serial !== undefined && /^0*$/.test(safeSerialHex(d.serial) ?? 'x')) out.push({ key: 'serial', message: 'must be a positive integer (RFC 5280 §4.1.2.2); a zero serial cannot be made, even with broken: true' });
  if (d.broken === true) return out; // deliberately wrong: only what cannot be encoded at all is refused
  out.push(...subjectFindings(d.subject), ...sanFindings(d.san), ...serialFindings(d.serial));
  return out;
}

function validityFindings(d: Record<string, unknown>): Finding[] {
  const now = new Date();
  const out: Finding[] = [];
  const read = (key: 'notBefore' | 'notAfter'): Date | undefined => {
    if (typeof d[key] !== 'string') return undefined;
    try {
      const at = resolveWhen(d[key] as string, now);
      if (at.getTime() < EARLIEST || at.getTime() > LATEST) out.push({ key, message: `is outside what a certificate can hold (1950 to 9999): ${d[key]}` });
      return at;
    } catch (e) {
      out.push({ key, message: `is not a date or an offset: ${(e as Error).message}` });
      return undefined;
    }
  };
  const notBefore = read('notBefore');
  const notAfter = read('notAfter');
  if (notBefore && notAfter && notAfter <= notBefore && d.broken !== true) {
    out.push({ key: 'notAfter', message: `(${notAfter.toISOString()}) is not after notBefore (${notBefore.toISOString()}); add broken: true to make such a certificate on purpose` });
  }
  return out;
}

function subjectFindings(subject: unknown): Finding[] {
  if (subject === undefined) return [];
  let pairs: [string, string][];
  try {
    pairs = parseSubject(subject as Parameters<typeof parseSubject>[0]);
  } catch (e) {
    return [{ key: 'subject', message: (e as Error).message }];
  }
  const out: Finding[] = [];
  for (const [attr, value] of pairs) {
    const max = ATTRIBUTE_MAX[attr];
    if (max !== undefined && [...value].length > max) out.push({ key: 'subject', message: `${attr} is ${[...value].length} characters; RFC 5280 allows at most ${max}` });
    if (attr === 'C' && !/^[A-Za-z]{2}$/.test(value)) out.push({ key: 'subject', message: `C must be a two-letter country code, not '${value.slice(0, 20)}'` });
  }
  return out;
}

function sanFindings(san: unknown): Finding[] {
  if (!Array.isArray(san)) return [];
  const out: Finding[] = [];
  for (const entry of san) {
    const name = generalName(String(entry));
    const why = name.type === 'dns' ? dnsNameProblem(name.value) : name.type === 'ip' ? (isIP(name.value) ? undefined : 'is not an IP address') : name.type === 'email' ? (/^[^@\s]+@[^@\s]+$/.test(name.value) ? undefined : 'is not an e-mail address') : uriProblem(name.value);
    if (why) out.push({ key: 'san', message: `entry '${String(entry).slice(0, 80)}' ${why}` });
  }
  return out;
}

/** RFC 5280 §4.2.1.6 preferred name syntax, with a leftmost `*` wildcard label (CA/B BR 7.1.4.2). */
export function dnsNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty: a DNS name is needed after DNS:';
  if (name.length > 253) return `is ${name.length} characters; a DNS name has at most 253`;
  const labels = name.replace(/\.$/, '').split('.');
  for (const [i, label] of labels.entries()) {
    if (label === '*' && i === 0 && labels.length > 1) continue;
    if (label.length === 0) return 'has an empty label';
    if (label.length > 63) return 'has a label longer than 63 characters';
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(label)) return 'is not a DNS name (letters, digits and hyphens between dots)';
  }
  if (labels.length > 1 && /^\d+$/.test(labels.at(-1)!)) return 'is not a DNS name (an all-numeric last label; an IP address goes in as IP:)';
  return undefined;
}

function uriProblem(uri: string): string | undefined {
  try {
    new URL(uri);
    return undefined;
  } catch {
    return 'is not a URI';
  }
}

function safeSerialHex(serial: unknown): string | undefined {
  try {
    return serialToHex(serial as string | number);
  } catch {
    return undefined;
  }
}

function serialFindings(serial: unknown): Finding[] {
  if (serial === undefined) return [];
  let hex: string;
  try {
    hex = serialToHex(serial as string | number);
  } catch (e) {
    return [{ key: 'serial', message: (e as Error).message }];
  }
  if (hex.length / 2 > 20) return [{ key: 'serial', message: `is ${hex.length / 2} octets; RFC 5280 §4.1.2.2 allows at most 20` }];
  return [];
}
