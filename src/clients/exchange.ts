// How far a client's exchange with a server got, and whether the server refused it. Every
// client step (curl, https, tls-probe, grpc) reports the same fields, so that "it is refused"
// can only pass when the server did the refusing:
//
//   phase    client-setup        the client could not start (a key that does not load, a bad option)
//            connect             no connection (refused, unreachable, timed out)
//            server-verification the client refused the server's certificate
//            handshake-refused   the server refused the client in the TLS handshake
//            handshake           the TLS handshake failed otherwise (no common protocol, plaintext port)
//            established         the handshake completed and the server kept the connection (tls-probe
//                                sends no request, so this is where it ends)
//            http                the server answered: an HTTP status, or a gRPC status
//   refused  true when the server refused: phase handshake-refused, or an answer of HTTP 400+
//            (gRPC UNAUTHENTICATED or PERMISSION_DENIED)
//   refusal  how: { by: tls-alert, alert } | { by: connection-closed } | { by: http-status, status }
//            | { by: grpc-status, status }

export const PHASES = ['client-setup', 'connect', 'server-verification', 'handshake-refused', 'handshake', 'established', 'http'] as const;
export type Phase = (typeof PHASES)[number];

export const REFUSAL_KINDS = ['tls-alert', 'connection-closed', 'http-status', 'grpc-status'] as const;

export interface Refusal {
  by: (typeof REFUSAL_KINDS)[number];
  /** The TLS alert received, in RFC 8446 spelling: certificate_required, unknown_ca... */
  alert?: string;
  /** The status the server answered with (a number for HTTP, a name for gRPC). */
  status?: number | string;
}

export interface Exchange {
  phase: Phase;
  refused: boolean;
  refusal?: Refusal;
}

/** Alert numbers OpenSSL prints ("SSL alert number 48"), RFC 8446 §6 names. */
const ALERT_NAMES: Record<number, string> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 22: 'record_overflow', 40: 'handshake_failure',
  42: 'bad_certificate', 43: 'unsupported_certificate', 44: 'certificate_revoked', 45: 'certificate_expired',
  46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error',
  51: 'decrypt_error', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 90: 'user_canceled', 109: 'missing_extension', 110: 'unsupported_extension',
  112: 'unrecognized_name', 113: 'bad_certificate_status_response', 115: 'unknown_psk_identity',
  116: 'certificate_required', 120: 'no_application_protocol',
};

/**
 * The alert in OpenSSL's text: "tlsv13 alert certificate required", "sslv3 alert handshake
 * failure", "SSL alert number 48", or Node's ERR_SSL_TLSV1_ALERT_UNKNOWN_CA.
 */
export function alertInText(text: string): string | undefined {
  const numbered = /SSL alert number (\d+)/.exec(text);
  if (numbered && ALERT_NAMES[Number(numbered[1])]) return ALERT_NAMES[Number(numbered[1])];
  const code = /ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)/.exec(text);
  if (code) return code[1]!.toLowerCase();
  const words = /(?:sslv3|tlsv1|tlsv13) alert ([a-z ]+?)(?=[:,)\n]|$| \()/m.exec(text);
  return words ? words[1]!.trim().replace(/ /g, '_') : undefined;
}

/** The exchange for a failure at `phase`; an alert from the server makes it a refusal. */
export function failedAt(phase: Phase, alert?: string): Exchange {
  if (phase !== 'handshake-refused') return { phase, refused: false };
  return { phase, refused: true, refusal: alert ? { by: 'tls-alert', alert } : { by: 'connection-closed' } };
}

export function answered(status: number): Exchange {
  return status >= 400 ? { phase: 'http', refused: true, refusal: { by: 'http-status', status } } : { phase: 'http', refused: false };
}

/** Node's X.509 verification codes (the client refused the server's certificate). */
const VERIFY_CODES = /^(?:UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID|ERR_TLS_CERT_ALTNAME_FORMAT)/;

/** Where a Node TLS/HTTP client error happened. `handshook`: the client had finished its handshake. */
export function nodeErrorPhase(code: string, message: string, handshook: boolean): Exchange {
  const alert = alertInText(code) ?? alertInText(message);
  if (alert) return failedAt('handshake-refused', alert);
  if (VERIFY_CODES.test(code)) return failedAt('server-verification');
  if (/^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT)$/.test(code)) return failedAt('connect');
  // ERR_SOCKET_CLOSED is how Bun's client reports a server that closed the connection.
  if (/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED|ERR_SOCKET_CLOSED|ERR_SSL_UNEXPECTED_EOF_WHILE_READING)$/.test(code) || /socket hang up|other side closed/.test(message)) {
    return handshook || code === 'ECONNRESET' ? failedAt('handshake-refused') : failedAt('handshake');
  }
  if (/^ERR_SSL_|^ERR_TLS_/.test(code)) return failedAt('handshake');
  if (code === 'ETIMEDOUT') return failedAt(handshook ? 'http' : 'connect');
  return failedAt('client-setup');
}

/** curl exit codes that say where it stopped (curl's libcurl-errors.3). */
const CURL_CONNECT = new Set([5, 6, 7, 45]);
const CURL_SERVER_VERIFICATION = new Set([51, 60, 83, 90, 91]);
const CURL_TLS = new Set([16, 35, 52, 55, 56, 92]);

/** Where a curl run stopped, from its exit code, its error text and the status it received. */
export function curlPhase(exit: number | null, stderr: string, status: number | undefined): Exchange | undefined {
  if (exit === null) return undefined;
  const alert = alertInText(stderr);
  if (CURL_TLS.has(exit)) {
    if (alert) return failedAt('handshake-refused', alert);
    if (exit === 35 && /wrong version number|packet length too long|record layer failure|unsupported protocol|no protocols available/i.test(stderr)) return failedAt('handshake');
    // Closed without an alert or a response: what Node's TLS server does with a certificate it refuses.
    if (status === undefined) return failedAt('handshake-refused');
  }
  if (status !== undefined) return answered(status);
  if (exit === 0 || exit === 22) return { phase: 'http', refused: false };
  if (CURL_CONNECT.has(exit)) return failedAt('connect');
  if (exit === 28) return failedAt(/SSL connection using|Connected to/.test(stderr) ? 'http' : 'connect');
  if (CURL_SERVER_VERIFICATION.has(exit)) return failedAt('server-verification');
  return failedAt('client-setup');
}

/** Client-side verification failures as grpc-js (Node's messages) and grpcio (BoringSSL's) word them. */
const GRPC_SERVER_VERIFICATION = /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames|Peer name .* is not in peer certificate|self[- ]signed certificate|unable to verify|unable to get (?:local )?issuer|certificate has expired|certificate is not yet valid|certificate verify failed|CERTIFICATE_VERIFY_FAILED/i;

/** Where a gRPC call stopped, from its status and grpc-js's "Last error" text. */
export function grpcPhase(status: string, details: string): Exchange {
  if (status === 'CREDENTIALS' || status === 'PROTO') return failedAt('client-setup');
  if (status !== 'UNAVAILABLE') {
    return status === 'UNAUTHENTICATED' || status === 'PERMISSION_DENIED' ? { phase: 'http', refused: true, refusal: { by: 'grpc-status', status } } : { phase: 'http', refused: false };
  }
  const alert = alertInText(details);
  if (alert) return failedAt('handshake-refused', alert);
  if (GRPC_SERVER_VERIFICATION.test(details)) return failedAt('server-verification');
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(details)) return failedAt('connect');
  if (/ECONNRESET|socket hang up|Connection reset/i.test(details)) return failedAt('handshake-refused');
  return failedAt('handshake');
}
