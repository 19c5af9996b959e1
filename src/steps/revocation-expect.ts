// The `revocation` setting and result the relying-party steps share (cert, tls-probe, https):
// the certificate's status as its CRL distribution point, its OCSP responder and a staple say.
//
//   - tls-probe: { url: "{{upstream.url}}", trust: ca, revocation: true }
//     expect: { revocation: { crl: revoked, ocsp: revoked, stapled: none } }
import { s } from '../scenario/schema.ts';
import { matcher, fields } from '../expect/vocabulary.ts';
import { x509 } from '../pki/crypto.ts';
import { checkRevocation, type RevocationReach, type RevocationReport } from '../clients/revocation.ts';
import { issuerAmong } from '../pki/revocation-check.ts';
import type { HandshakeCapture } from '../clients/tls-details.ts';
import { parseCertificates } from '../pki/inspect.ts';

export const revocationSetting = s.anyOf(
  [s.boolean(), s.enum(['loopback', 'any'])],
  'ask for the certificate\'s revocation status where it says: the CRL at its distribution point and the OCSP responder in its AIA. true (or loopback) dials only URLs on loopback; any dials what the certificate names (a deployment\'s public CA)',
);

const SOURCE = 'good, revoked, unknown (OCSP), invalid (bad signature, another issuer), stale (past nextUpdate), refused (an OCSP error status), unreachable, not-dialled (off loopback), none (no URL; no staple sent), not-asked (a staple, on a runtime whose TLS client cannot ask: Bun, Deno)';

export const revocationExpect = fields(
  {
    crl: matcher('string', `what the CRL says: ${SOURCE}`),
    ocsp: matcher('string', `what the OCSP responder says: ${SOURCE}`),
    stapled: matcher('string', `what the server's stapled answer says (tls-probe and https ask for one): ${SOURCE}`),
    mustStaple: matcher('boolean', 'the certificate carries the TLS Feature status_request (OCSP Must-Staple)'),
    revoked: matcher('boolean', 'any source said revoked'),
    notes: matcher('string', 'one line per source: what was asked and what it said'),
  },
  'the revocation status of the certificate (the server\'s, for tls-probe and https), with revocation: set',
);

export function reachOf(setting: boolean | 'loopback' | 'any' | undefined): RevocationReach | undefined {
  if (setting === undefined || setting === false) return undefined;
  return setting === 'any' ? 'any' : 'loopback';
}

/**
 * The revocation status of the certificate a server sent in a handshake (tls-probe, https): its
 * issuer is in the chain the server sent or among the CAs trusted, and the staple is checked too.
 */
export async function serverRevocation(capture: HandshakeCapture, trustPems: string[], reach: RevocationReach, o: { now: Date; signal?: AbortSignal }): Promise<RevocationReport | { error: { code: string; message: string } }> {
  const [leaf, ...rest] = capture.chain!.map((der) => new x509.X509Certificate(der));
  const candidates = [...rest, ...trustPems.flatMap((pem) => parseCertificates(pem))];
  return revocationOf(leaf!, candidates, { reach, ...o, wantsStaple: true, ...(capture.staple !== undefined ? { staple: capture.staple } : {}) });
}

/** The report for `leaf`, or why there is none (no issuer to check the answers against). */
export async function revocationOf(leaf: x509.X509Certificate, candidates: x509.X509Certificate[], o: { reach: RevocationReach; now: Date; signal?: AbortSignal; wantsStaple?: boolean; staple?: Uint8Array | null }): Promise<RevocationReport | { error: { code: string; message: string } }> {
  const issuer = issuerAmong(leaf, candidates);
  if (!issuer) return { error: { code: 'no-issuer', message: `revocation: the issuer of ${leaf.subject} (${leaf.issuer}) is not in the chain or the trust given, so no CRL or OCSP answer can be checked` } };
  return checkRevocation({ certificate: leaf, issuer, reach: o.reach, now: o.now, ...(o.signal ? { signal: o.signal } : {}), wantsStaple: o.wantsStaple ?? false, ...(o.staple !== undefined ? { staple: o.staple } : {}) });
}
