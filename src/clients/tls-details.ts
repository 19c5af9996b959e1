// What a TLS connection showed, as plain data, and TLS errors as stable codes and alert names.
import type { TLSSocket, PeerCertificate, DetailedPeerCertificate } from 'node:tls';
import { alertInText } from './exchange.ts';
import { tlsClientAsksForStaple } from '../runtime/index.ts';

export interface PeerCertificateFacts {
  subject: string;
  issuer: string;
  commonName?: string;
  san: string[];
  validFrom: string;
  validTo: string;
  serial: string;
  fingerprint: string;
}

export interface TlsDetails {
  protocol?: string;
  cipher?: string;
  alpn?: string;
  /** The server certificate verified against the trust given (false with insecure/-k). */
  authorized: boolean;
  authorizationError?: string;
  /** The chain the server sent, leaf first. */
  peerChain: PeerCertificateFacts[];
}

function dn(x: Record<string, string | string[]> | undefined): string {
  if (!x) return '';
  return Object.entries(x)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

export function certificateFacts(c: PeerCertificate): PeerCertificateFacts {
  const cn = c.subject?.CN;
  return {
    subject: dn(c.subject as unknown as Record<string, string>),
    issuer: dn(c.issuer as unknown as Record<string, string>),
    ...(cn ? { commonName: Array.isArray(cn) ? cn[0]! : cn } : {}),
    san: (c.subjectaltname ?? '').split(', ').filter(Boolean).map((s) => s.replace(/^DNS:/, 'dns:').replace(/^IP Address:/, 'ip:').replace(/^email:/, 'email:').replace(/^URI:/, 'uri:')),
    validFrom: c.valid_from ? new Date(c.valid_from).toISOString() : '',
    validTo: c.valid_to ? new Date(c.valid_to).toISOString() : '',
    serial: (c.serialNumber ?? '').toUpperCase(),
    fingerprint: c.fingerprint256 ?? '',
  };
}

/** The certificates the server sent, leaf first; a self-signed root points at itself, so each is taken once. */
function* sentChain(socket: TLSSocket): Generator<DetailedPeerCertificate> {
  let c = typeof socket.getPeerCertificate === 'function' ? (socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined) : undefined;
  const seen = new Set<string>();
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    yield c;
    c = c.issuerCertificate;
  }
}

export function peerChain(socket: TLSSocket): PeerCertificateFacts[] {
  return [...sentChain(socket)].map(certificateFacts);
}

/** What a handshake carried that is not plain data for a report: the certificates and the staple, in DER. */
export interface HandshakeCapture {
  /** The chain the server sent, leaf first. */
  chain?: Uint8Array<ArrayBuffer>[];
  /** The stapled OCSP answer; null when one was asked for (requestOcsp) and none came; undefined when not asked. */
  staple?: Uint8Array<ArrayBuffer> | null;
}

/** Records the stapled answer, when the connection asked for one; it arrives before secureConnect. */
export function captureStaple(socket: TLSSocket, o: { requestOcsp?: boolean }, capture: HandshakeCapture): void {
  if (!o.requestOcsp || !tlsClientAsksForStaple()) return;
  capture.staple = null;
  socket.once('OCSPResponse', (der: Buffer | null) => (capture.staple = der?.length ? new Uint8Array(der) : null));
}

/** The chain the server sent, leaf first, in DER. */
export function peerChainDer(socket: TLSSocket): Uint8Array<ArrayBuffer>[] {
  return [...sentChain(socket)].map((c) => new Uint8Array(c.raw));
}

export function describeTls(socket: TLSSocket): TlsDetails {
  const cipher = typeof socket.getCipher === 'function' ? socket.getCipher() : undefined;
  const alpn = socket.alpnProtocol;
  return {
    ...(typeof socket.getProtocol === 'function' && socket.getProtocol() ? { protocol: socket.getProtocol()! } : {}),
    ...(cipher?.standardName || cipher?.name ? { cipher: cipher.standardName ?? cipher.name } : {}),
    ...(alpn ? { alpn } : {}),
    authorized: socket.authorized,
    ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
    peerChain: peerChain(socket),
  };
}

export interface TlsFailure {
  /** Node's code: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ECONNRESET... */
  code: string;
  /** The TLS alert, in RFC 8446 §6 spelling, when one was received: certificate_required, unknown_ca... */
  alert?: string;
  message: string;
}

/**
 * The alert name from OpenSSL's error code. Node says ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED,
 * Bun ERR_SSL_TLSV1_ALERT_CERTIFICATE_REQUIRED for the same alert; both name certificate_required.
 */
export function alertOf(code: string | undefined): string | undefined {
  return /^ERR_SSL_/.test(code ?? '') ? alertInText(code!) : undefined;
}

export function tlsFailure(err: unknown): TlsFailure {
  const e = err as { code?: string; message?: string; cause?: unknown };
  const code = e?.code ?? 'ERROR';
  const alert = alertOf(code);
  return { code, ...(alert ? { alert } : {}), message: e?.message ?? String(err) };
}
