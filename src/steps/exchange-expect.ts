// The expectation fields every client step (curl, https, tls-probe, grpc) shares: how far the
// exchange got and whether the server refused it (clients/exchange.ts says how each is told).
//
//   expect: { refused: true }                                   # the server refused, any way
//   expect: { refused: { alert: unknown_ca, status: 400 } }     # by this alert, or by answering 400
import { s } from '../scenario/schema.ts';
import { matcher, fields } from '../expect/vocabulary.ts';
import { PHASES, REFUSAL_KINDS } from '../clients/exchange.ts';

export const exchangeExpect = {
  phase: matcher('string', `where the exchange stopped: ${PHASES.join(', ')}`),
  refused: s.anyOf(
    [
      s.boolean(),
      s.object(
        {
          alert: matcher('string', 'a refusal by TLS alert passes when the alert matches: certificate_required, unknown_ca, certificate_expired, unsupported_certificate, bad_certificate, handshake_failure'),
          status: matcher('any', 'a refusal by answer passes when the status matches: 400, 403 (gRPC: UNAUTHENTICATED, PERMISSION_DENIED)'),
          closed: s.boolean('a server that closes the connection after the handshake without an alert or an answer (Node\'s TLS server) also passes'),
        },
        { description: 'the server refused in one of these ways; a way not named fails' },
      ),
    ],
    'true: the server refused the client, by a TLS alert, by closing the connection in or right after the handshake, or by answering HTTP 400+ (gRPC UNAUTHENTICATED, PERMISSION_DENIED). A failure on the client side (it could not verify the server, could not connect, could not load its key) is never a refusal. false: the server did not refuse',
  ),
  refusal: fields({ by: matcher('string', REFUSAL_KINDS.join(', ')), alert: matcher('string'), status: matcher('any') }, 'how the server refused, when it did'),
};
