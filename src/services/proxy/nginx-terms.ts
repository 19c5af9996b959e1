// Upstream failures in the words nginx logs them (observed with nginx 1.22 / OpenSSL 3.0 as a
// proxy with proxy_ssl_certificate in front of an upstream that requires client certificates;
// the table of them is in docs/scenarios.md), so a log line from our proxy can
// be compared with, and searched like, nginx's error.log.
import type { TlsFailure } from '../../clients/tls-details.ts';

/** OpenSSL's X509_V_ERR numbers and texts for Node's verify error codes. */
const VERIFY: Record<string, [number, string]> = {
  CERT_HAS_EXPIRED: [10, 'certificate has expired'],
  CERT_NOT_YET_VALID: [9, 'certificate is not yet valid'],
  DEPTH_ZERO_SELF_SIGNED_CERT: [18, 'self-signed certificate'],
  SELF_SIGNED_CERT_IN_CHAIN: [19, 'self-signed certificate in certificate chain'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [20, 'unable to get local issuer certificate'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [21, 'unable to verify the first certificate'],
  CERT_REVOKED: [23, 'certificate revoked'],
  INVALID_PURPOSE: [26, 'unsupported certificate purpose'],
};

export function nginxUpstreamError(f: TlsFailure, verifyName: string, tlsVersion: string | undefined): string {
  if (f.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `upstream SSL certificate does not match "${verifyName}" while SSL handshaking to upstream`;
  const verify = VERIFY[f.code];
  if (verify) return `upstream SSL certificate verify error: (${verify[0]}:${verify[1]}) while SSL handshaking to upstream`;
  if (f.alert === 'certificate_required') return 'SSL_read() failed (SSL: error:0A00045C:SSL routines::tlsv13 alert certificate required:SSL alert number 116) while reading response header from upstream';
  if (f.alert === 'handshake_failure') return 'SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream';
  if (f.alert) return `SSL_do_handshake() failed (SSL: ${f.alert.replace(/_/g, ' ')}) while SSL handshaking to upstream`;
  if (f.code === 'ECONNREFUSED') return 'connect() failed (111: Connection refused) while connecting to upstream';
  if (/ECONNRESET|UND_ERR_SOCKET|EPIPE|ERR_SOCKET_CLOSED/.test(f.code)) {
    // TLS 1.3 finishes the handshake before the server checks the client certificate.
    return tlsVersion === 'TLSv1.3' ? 'upstream prematurely closed connection while reading response header from upstream' : 'peer closed connection in SSL handshake while SSL handshaking to upstream';
  }
  return `${f.message} while connecting to upstream`;
}
