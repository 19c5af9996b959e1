// One TLS handshake and the server's verdict on it, for the steps that need to know where a
// connection stopped (tls-probe; grpc, when grpc-js only says "Failed to connect"). In TLS 1.3
// the client finishes first: the server judges the client's certificate afterwards and answers
// with session tickets (kept) or an alert or a close (refused), so this waits for one of them.
import tls from 'node:tls';
import { tlsConnectOptions, type TlsClientOptions } from './https.ts';
import { captureStaple, describeTls, peerChainDer, tlsFailure, type HandshakeCapture } from './tls-details.ts';

export type { HandshakeCapture };
import { failedAt, nodeErrorPhase } from './exchange.ts';

/** How long a TLS 1.3 client waits for the server's verdict on its certificate (a ticket or an alert). */
export const VERDICT_WAIT_MS = 3000;
const HANDSHAKE_TIMEOUT_MS = 10_000;

const established = { phase: 'established', refused: false } as const;

/** The handshake's details (describeTls), its error if any, and its exchange (phase, refused, refusal). */
export function handshakeVerdict(host: string, port: number, o: TlsClientOptions, capture?: HandshakeCapture): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const socket = tls.connect(tlsConnectOptions(host, port, o));
    if (capture) captureStaple(socket, o, capture);
    let details: Record<string, unknown> | undefined;
    const finish = (r: Record<string, unknown>) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    let timer = setTimeout(() => finish({ error: { code: 'ETIMEDOUT', message: `no TLS handshake in ${HANDSHAKE_TIMEOUT_MS / 1000}s` }, ...failedAt('connect') }), HANDSHAKE_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      details = { ...describeTls(socket) };
      if (capture) capture.chain = peerChainDer(socket);
      if (socket.getProtocol() !== 'TLSv1.3') return finish({ ...details, ...established });
      clearTimeout(timer);
      timer = setTimeout(() => finish({ ...details, ...established, verdictNote: `the server sent neither a session ticket nor an alert within ${VERDICT_WAIT_MS}ms: taken as kept` }), VERDICT_WAIT_MS);
      socket.once('session', () => finish({ ...details, ...established }));
      for (const ev of ['end', 'close'] as const) socket.once(ev, () => finish({ ...details, error: { code: 'ECONNRESET', message: 'the server closed the connection after the handshake without an alert' }, ...failedAt('handshake-refused') }));
    });
    socket.once('error', (e) => {
      const error = tlsFailure(e);
      finish({ ...details, error, ...nodeErrorPhase(error.code, error.message, details !== undefined) });
    });
  });
}
