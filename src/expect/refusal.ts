// `refused:` is judged on how the server refused, not on any failure: a client that could not
// verify the server or load its key was not refused. The fields it reads (phase, refused,
// refusal) are what every client step reports.
import { check, show, type Assertion } from './match.ts';
import { causeOf } from './cause.ts';

interface RefusalFacts {
  by?: string;
  alert?: string;
  status?: unknown;
}

/** What happened instead of a refusal, in words, for the failure message. */
function whatHappened(result: Record<string, unknown>): string {
  const phase = typeof result.phase === 'string' ? result.phase : undefined;
  const underlying = causeOf(result);
  const cause = underlying ? `: ${underlying}` : '';
  if (!phase) return `the step reported no phase${cause}`;
  const words: Record<string, string> = {
    'client-setup': 'the client could not start (client-setup)',
    connect: 'no connection was made (connect)',
    'server-verification': 'the client refused the server certificate (server-verification), so the server never judged the client',
    handshake: 'the TLS handshake failed without a refusal from the server (handshake)',
    http: `the server answered${result.status !== undefined ? ` ${show(result.status)}` : result.httpStatus !== undefined ? ` ${show(result.httpStatus)}` : ''} (http)`,
  };
  return `${words[phase] ?? phase}${cause}`;
}

function describeRefusal(r: RefusalFacts): string {
  if (r.by === 'tls-alert') return `TLS alert ${r.alert}`;
  if (r.by === 'connection-closed') return 'closing the connection without an alert or an answer';
  return `answering ${show(r.status)}`;
}

export function checkRefused(want: unknown, result: Record<string, unknown>): Assertion {
  const refused = result.refused === true;
  const refusal = (result.refusal ?? {}) as RefusalFacts;
  const fail = (expected: string, message: string): Assertion => ({ path: 'refused', ok: false, expected, actual: result.phase ?? null, message });
  if (want === false) {
    return refused ? fail('not refused', `refused: expected the server not to refuse, but it refused by ${describeRefusal(refusal)}`) : { path: 'refused', ok: true, expected: 'not refused', actual: false, message: 'refused is false' };
  }
  const ways = typeof want === 'object' && want !== null ? (want as Record<string, unknown>) : undefined;
  const expected = ways ? `refused by ${[ways.alert !== undefined ? `alert ${show(ways.alert)}` : '', ways.status !== undefined ? `status ${show(ways.status)}` : '', ways.closed ? 'a closed connection' : ''].filter(Boolean).join(' or ')}` : 'refused by the server';
  if (!refused) return fail(expected, `refused: expected the server to refuse, but ${whatHappened(result)}`);
  if (!ways) return { path: 'refused', ok: true, expected, actual: refusal, message: `refused by ${describeRefusal(refusal)}` };
  const matched =
    refusal.by === 'tls-alert' ? ways.alert !== undefined && check('alert', ways.alert, refusal.alert).ok
    : refusal.by === 'connection-closed' ? ways.closed === true
    : ways.status !== undefined && check('status', ways.status, refusal.status).ok;
  return matched
    ? { path: 'refused', ok: true, expected, actual: refusal, message: `refused by ${describeRefusal(refusal)}` }
    : { path: 'refused', ok: false, expected, actual: refusal, message: `refused: expected ${expected}, but the server refused by ${describeRefusal(refusal)}` };
}
