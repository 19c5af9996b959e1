// ARI, draft-ietf-acme-ari-03 (what Pebble serves since 2.6): GET renewalInfo/<certID> tells a
// client when to renew. certID = base64url(AKI keyIdentifier) "." base64url(serial bytes).
import { AcmeProblem, malformed } from '../problems.ts';
import type { CertificateRecord } from '../state.ts';
import type { Route } from './http.ts';

export function certIdOf(c: Pick<CertificateRecord, 'akiHex' | 'serialHex'>): string {
  return `${Buffer.from(c.akiHex, 'hex').toString('base64url')}.${Buffer.from(c.serialHex.length % 2 ? `0${c.serialHex}` : c.serialHex, 'hex').toString('base64url')}`;
}

/** The middle third of the lifetime, as Let's Encrypt suggests; now, for a revoked certificate. */
export function suggestedWindow(c: CertificateRecord, now: Date): { start: Date; end: Date } {
  if (c.renewalWindow) return c.renewalWindow;
  if (c.revoked) return { start: new Date(now.getTime() - 3_600_000), end: now };
  const life = c.notAfter.getTime() - c.notBefore.getTime();
  return { start: new Date(c.notBefore.getTime() + life / 3 * 2 - life / 9), end: new Date(c.notBefore.getTime() + life / 3 * 2 + life / 9) };
}

export const renewalInfoRoutes: Route[] = [
  {
    path: /^\/draft-ietf-acme-ari-03\/renewalInfo\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/,
    methods: ['GET'],
    async handle(req, ctx) {
      const certId = req.params[0]!;
      const [aki, serial] = certId.split('.') as [string, string];
      const serialHex = Buffer.from(serial, 'base64url').toString('hex');
      const cert = ctx.store.certificateBySerial(serialHex);
      if (!cert || Buffer.from(cert.akiHex, 'hex').toString('base64url') !== aki) throw new AcmeProblem('malformed', 404, `no certificate with certID ${certId}`);
      const w = suggestedWindow(cert, ctx.now());
      // ARI §4.2: clients should poll again after Retry-After (6 hours is what Let's Encrypt sends).
      return { status: 200, headers: { 'retry-after': '21600' }, json: { suggestedWindow: { start: w.start.toISOString(), end: w.end.toISOString() } } };
    },
  },
  {
    path: /^\/draft-ietf-acme-ari-03\/renewalInfo\/?(.*)$/,
    methods: ['GET'],
    async handle(req) {
      throw malformed(`'${req.params[0]}' is not a certID (base64url(AKI).base64url(serial))`);
    },
  },
];
