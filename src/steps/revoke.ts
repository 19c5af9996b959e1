// `revoke`: revokes a certificate item of the scenario at the CA that issued it. From then on
// the CRL the `crl` service serves for that CA lists it, with the reason and the time.
//
//   - revoke: { item: client, reason: keyCompromise }
//   - https: { url: "{{upstream.url}}", clientCert: client, trust: ca }
//     expect: { refused: true }
import { s } from '../scenario/schema.ts';
import { matcher } from '../expect/vocabulary.ts';
import { x509 } from '../pki/crypto.ts';
import { CRL_REASONS, when, type CertificateDecl } from '../pki/declare.ts';
import { resolveWhen } from '../pki/when.ts';
import { issuingCa } from '../pki/crl.ts';
import { scenarioNow } from './clock.ts';
import { defineStep } from './types.ts';


export const revokeStep = defineStep({
  kind: 'revoke',
  summary: 'revokes a certificate item at the CA item that issued it: from then on the crl service, the CRL files ({{ca.crlFile}}) and upstreams with crl: list it',
  schema: s.object(
    {
      item: s.string({ ref: 'pki', description: 'the certificate item to revoke' }),
      reason: s.enum(CRL_REASONS, 'RFC 5280 CRLReason (default unspecified)'),
      at: when,
    },
    { required: ['item'] },
  ),
  expect: {
    status: matcher('string', 'revoked, or already-revoked'),
    serial: matcher('string', 'hex serial of the revoked certificate'),
    issuer: matcher('string', 'the CA item that revoked it'),
    reason: matcher('string'),
    revokedAt: matcher('string', 'ISO 8601'),
  },
  defaultExpect: () => ({ status: 'revoked' }),
  checkScenario(spec, pki) {
    const item = pki[spec.item];
    if (!item) return undefined; // an unknown name is reported as such
    if (item.kind !== 'default') return `${spec.item} is a ${item.kind} item, not a certificate: only a certificate can be revoked`;
    const d = item.spec as CertificateDecl;
    if (d.certFile) return undefined; // loaded: its issuer is known once it is read
    if (!d.issuer || d.issuer === spec.item) return `${spec.item} is self-signed: no CA of this scenario issued it, so none can revoke it`;
    const issuer = pki[d.issuer]?.spec as CertificateDecl | undefined;
    if (issuer?.certFile && !issuer.keyFile) return `${spec.item}'s issuer ${d.issuer} is loaded without its key: it cannot sign the CRL or the OCSP answers that say ${spec.item} is revoked`;
    return undefined;
  },
  async execute(spec, ctx) {
    const item = ctx.world.pki[spec.item];
    if (item?.kind !== 'certificate') return { error: { code: 'not-a-certificate', message: `pki item ${spec.item} is not a certificate` } };
    const issuer = issuingCa(item, ctx.world.pki);
    if (!issuer) return { error: { code: 'no-issuer', message: `${spec.item} was not issued by a CA item of this scenario: nothing can revoke it` } };
    const now = scenarioNow(ctx);
    const date = spec.at ? resolveWhen(spec.at, now) : now;
    const reason = spec.reason ?? 'unspecified';
    const serial = item.certificate.serialNumber.toLowerCase();
    const added = await ctx.world.revocations.revoke(issuer, { serialHex: item.certificate.serialNumber, date, reason: x509.X509CrlReason[reason] }, now);
    ctx.log(`revoked ${spec.item} (serial ${serial}) at ${issuer}: ${reason}`);
    return { status: added ? 'revoked' : 'already-revoked', item: spec.item, serial, issuer, reason, revokedAt: date.toISOString() };
  },
  timeline: (r) => (r.status === 'revoked' && r.revokedAt ? [{ at: r.revokedAt, what: `${String(r.item)} revoked (${r.reason})` }] : []),
});
