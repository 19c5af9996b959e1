// grpc-js reports a connection the server dropped as "Failed to connect" and nothing more: a
// missing client certificate, one from another CA, an expired one and plaintext sent to a TLS
// port look alike (a Python grpcio server closes without an alert in each case). For that case
// the grpc step makes one TLS handshake of its own, with the same credentials, name and ALPN,
// and reports what it met: the server's alert, a close after the handshake, or a port that
// speaks TLS to a plaintext client.
import { handshakeVerdict } from '../tls-handshake.ts';
import type { TlsClientOptions } from '../https.ts';

export interface GrpcCredentials {
  plaintext: boolean;
  rootCert?: Buffer;
  privateKey?: Buffer;
  certChain?: Buffer;
}

export interface Diagnosis {
  tlsError: string;
  /** What the handshake met, in words, for the report. */
  diagnosis: string;
  phase: string;
  refused: boolean;
  refusal?: Record<string, unknown>;
}

/** host and port of a `host:port`, `[v6]:port` or `dns:///host:port` target. */
export function targetAddress(target: string): { host: string; port: number } | undefined {
  const m = /^(?:dns:\/{0,3})?(?:\[([^\]]+)\]|([^:/]+)):(\d+)$/.exec(target);
  return m ? { host: (m[1] ?? m[2])!, port: Number(m[3]) } : undefined;
}

/** An alert's name as a tlsError label: certificate_expired -> expired, unknown_ca -> unknown-ca. */
function alertLabel(alert: string): string {
  return alert === 'certificate_expired' ? 'expired' : alert.replace(/_/g, '-');
}

function verificationLabel(code: string): string {
  if (/EXPIRED/.test(code)) return 'expired';
  if (/ALTNAME|HOSTNAME/.test(code)) return 'hostname-mismatch';
  return 'unknown-ca';
}

export async function diagnoseConnectionFailure(target: string, credentials: GrpcCredentials, servername: string | undefined): Promise<Diagnosis | undefined> {
  const address = targetAddress(target);
  if (!address) return undefined;
  const sni = servername ?? (/^[\d.]+$|:/.test(address.host) ? undefined : address.host);
  if (credentials.plaintext) {
    const verdict = await handshakeVerdict(address.host, address.port, { insecure: true, alpn: ['h2'], ...(sni ? { servername: sni } : {}) });
    const spokeTls = verdict.protocol !== undefined || verdict.phase === 'handshake-refused';
    return spokeTls ? { tlsError: 'plaintext-mismatch', diagnosis: 'the port answers a TLS handshake: it expects TLS, and the call was plaintext', phase: 'handshake', refused: false } : undefined;
  }
  const o: TlsClientOptions = {
    alpn: ['h2'],
    ...(credentials.rootCert ? { ca: credentials.rootCert.toString('utf8') } : {}),
    ...(credentials.privateKey && credentials.certChain ? { key: credentials.privateKey.toString('utf8'), cert: credentials.certChain.toString('utf8') } : {}),
    ...(sni ? { servername: sni } : {}),
  };
  const verdict = await handshakeVerdict(address.host, address.port, o);
  const exchange = { phase: String(verdict.phase), refused: verdict.refused === true, ...(verdict.refusal ? { refusal: verdict.refusal as Record<string, unknown> } : {}) };
  const error = verdict.error as { code?: string; message?: string } | undefined;
  const alert = (verdict.refusal as { alert?: string } | undefined)?.alert;
  if (verdict.phase === 'handshake-refused') {
    return alert
      ? { tlsError: alertLabel(alert), diagnosis: `a TLS handshake with the same credentials got the server's alert ${alert}`, ...exchange }
      : { tlsError: 'closed-after-handshake', diagnosis: "a TLS handshake with the same credentials was closed by the server after the client's certificate, without an alert: the server refused the client", ...exchange };
  }
  if (verdict.phase === 'server-verification') return { tlsError: verificationLabel(error?.code ?? ''), diagnosis: `a TLS handshake with the same credentials could not verify the server: ${error?.message ?? error?.code}`, ...exchange };
  if (/wrong version number|packet length too long/i.test(`${error?.code} ${error?.message}`)) return { tlsError: 'plaintext-mismatch', diagnosis: 'the port does not speak TLS: it expects plaintext, and the call used TLS', ...exchange };
  return undefined;
}
