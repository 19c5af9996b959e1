// Asks where a certificate says its revocation status is: the CRL at its distribution point and
// the OCSP responder in its AIA, as a relying party does, plus a stapled answer when the TLS
// server sent one. The URLs come from the certificate, not the scenario, so only loopback ones
// are dialled unless the step says `revocation: any` (a certificate can name any address).
import { x509 } from '../pki/crypto.ts';
import { isMustStaple } from '../pki/tls-feature.ts';
import { ocspRequest, readCrl, readOcspResponse, type StatusReading } from '../pki/revocation-check.ts';
import { crlUrls, ocspUrls } from '../pki/inspect.ts';
import { isLoopback } from '../runtime/network.ts';

/** Which URLs named in a certificate may be dialled. */
export type RevocationReach = 'loopback' | 'any';

/**
 * Per source: good / revoked / unknown / invalid / stale / refused (StatusReading), or
 * unreachable (no answer), not-dialled (a URL off loopback without `any`), none (no URL, no
 * staple), not-asked (a staple was wanted, but this runtime's TLS client cannot ask for one).
 */
export type SourceStatus = StatusReading['status'] | 'unreachable' | 'not-dialled' | 'none' | 'not-asked';

export interface RevocationReport {
  crl: SourceStatus;
  ocsp: SourceStatus;
  /** Only when a TLS handshake asked for a staple. */
  stapled?: SourceStatus;
  mustStaple: boolean;
  /** Any source said revoked. */
  revoked: boolean;
  /** One line per source: what was asked and what it said. */
  notes: string;
}

/** The largest CRL or OCSP answer read: a real CA's CRL is well under this. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;

export interface RevocationCheck {
  certificate: x509.X509Certificate;
  issuer: x509.X509Certificate;
  reach: RevocationReach;
  /** The time answers are judged at: the scenario clock. */
  now: Date;
  signal?: AbortSignal;
  /** Whether a handshake was to ask for a staple (tls-probe, https). */
  wantsStaple?: boolean;
  /** null: asked and none came; bytes: the stapled OCSPResponse; undefined: not asked. */
  staple?: Uint8Array | null;
}

export async function checkRevocation(c: RevocationCheck): Promise<RevocationReport> {
  const notes: string[] = [];
  const crl = await firstAnswer(crlUrls(c.certificate), 'CRL', c, notes, async (url) => {
    const body = await fetchBytes(url, { method: 'GET' }, c.signal);
    return readCrl(body, c.certificate, c.issuer, c.now);
  });
  const ocsp = await firstAnswer(ocspUrls(c.certificate), 'OCSP', c, notes, async (url) => {
    const { der, nonce } = ocspRequest(c.certificate, c.issuer);
    const body = await fetchBytes(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: der }, c.signal);
    return readOcspResponse(body, c.certificate, c.issuer, c.now, nonce);
  });
  const report: Omit<RevocationReport, 'notes'> = { crl, ocsp, mustStaple: isMustStaple(c.certificate), revoked: false };
  if (c.wantsStaple && c.staple === undefined) {
    report.stapled = 'not-asked';
    notes.push("staple: not asked for: this runtime's TLS client sends no status_request, so whether the server staples is not known");
  } else if (c.wantsStaple) {
    if (c.staple === null) {
      report.stapled = 'none';
      notes.push(`staple: none sent${report.mustStaple ? ' (the certificate is Must-Staple: a client that honours it refuses this handshake)' : ''}`);
    } else {
      const r = readOcspResponse(c.staple!, c.certificate, c.issuer, c.now);
      report.stapled = r.status;
      notes.push(`staple: ${r.detail}`);
    }
  }
  report.revoked = [report.crl, report.ocsp, report.stapled].includes('revoked');
  return { ...report, notes: notes.join('\n') };
}

/** Tries each URL in turn until one answers; what it said, or why none did. */
async function firstAnswer(urls: string[], what: string, c: RevocationCheck, notes: string[], ask: (url: string) => Promise<StatusReading>): Promise<SourceStatus> {
  if (!urls.length) {
    notes.push(`${what}: the certificate names no ${what === 'CRL' ? 'distribution point' : 'responder'}`);
    return 'none';
  }
  let status: SourceStatus = 'unreachable';
  for (const url of urls) {
    const why = undialable(url, c.reach);
    if (why) {
      notes.push(`${what} ${url}: ${why}`);
      status = 'not-dialled';
      continue;
    }
    try {
      const r = await ask(url);
      notes.push(`${what} ${url}: ${r.detail}`);
      return r.status;
    } catch (e) {
      notes.push(`${what} ${url}: unreachable: ${(e as Error).message}`);
      status = 'unreachable';
    }
  }
  return status;
}

function undialable(url: string, reach: RevocationReach): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${u.protocol} is not fetched (http and https only)`;
  if (reach === 'loopback' && !isLoopback(u.hostname)) return 'not on loopback: not dialled (revocation: any dials it)';
  return undefined;
}

/** The body of one HTTP exchange, refused if the status is not 200 or the body is too large; redirects are not followed. */
async function fetchBytes(url: string, init: RequestInit, signal?: AbortSignal): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  const res = await fetch(url, { ...init, redirect: 'manual', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) throw new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
