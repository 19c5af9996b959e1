// RFC 8555 §7.4.2 certificate download (with alternate chains as Link rel="alternate") and
// §7.6 revocation, by the account that holds the certificate, an account authorized for all
// its names, or a request signed by the certificate's own key.
import { calculateJwkThumbprint, type JWK } from 'jose';
import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from '../../../pki/crypto.ts';
import { REVOCATION_REASONS } from '../../../clients/acme/wire.ts';
import { AcmeProblem, alreadyRevoked, badRevocationReason, malformed, unauthorized } from '../problems.ts';
import { objectPayload } from '../jws.ts';
import type { CertificateRecord } from '../state.ts';
import { PATHS, type WfeContext } from './context.ts';
import { signedRequest, type AcmeReply, type Route } from './http.ts';
import { certificateUrl } from './views.ts';

const ALLOWED_REASONS = new Set(Object.values(REVOCATION_REASONS));

function chainReply(base: string, cert: CertificateRecord, n: number): AcmeReply {
  const chain = cert.chains[n];
  if (chain === undefined) throw new AcmeProblem('malformed', 404, `certificate ${cert.id} has no chain ${n}`);
  const links = cert.chains.map((_, i) => i).filter((i) => i !== n).map((i) => `<${i === 0 ? certificateUrl(base, cert.id) : `${certificateUrl(base, cert.id)}/alternate/${i}`}>;rel="alternate"`);
  return { status: 200, headers: links.length ? { link: links } : {}, text: chain, contentType: 'application/pem-certificate-chain' };
}

async function spkiThumbprint(spki: Uint8Array): Promise<string> {
  return calculateJwkThumbprint(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' }) as JWK, 'sha256');
}

function authorizedForAllNames(ctx: WfeContext, accountId: string, names: string[]): boolean {
  return names.every((name) => ctx.store.reusableAuthorization(accountId, { type: isIP(name) ? 'ip' : 'dns', value: name.replace(/^\*\./, '') }));
}

export const certificateRoutes: Route[] = [
  {
    path: new RegExp(`^${PATHS.certificate}([A-Za-z0-9_-]+)(?:/alternate/(\\d+))?$`),
    methods: ['POST'],
    async handle(req, ctx) {
      const jws = await signedRequest(req, ctx, 'kid');
      if (!jws.postAsGet) throw malformed('download a certificate with POST-as-GET (an empty payload)');
      const cert = ctx.store.certificates.get(req.params[0]!);
      if (!cert) throw new AcmeProblem('malformed', 404, `no certificate ${req.params[0]}`);
      if (cert.accountId !== jws.account!.id) throw unauthorized('this certificate belongs to another account');
      return chainReply(req.base, cert, req.params[1] ? Number(req.params[1]) : 0);
    },
  },
  {
    path: /^\/revoke-cert\/?$/,
    methods: ['POST'],
    async handle(req, ctx) {
      const jws = await signedRequest(req, ctx, 'either');
      const body = objectPayload(jws);
      if (typeof body.certificate !== 'string') throw malformed('revokeCert needs "certificate": the base64url DER of the certificate');
      let parsed: x509.X509Certificate;
      try {
        parsed = new x509.X509Certificate(Buffer.from(body.certificate, 'base64url'));
      } catch {
        throw malformed('"certificate" is not a DER certificate');
      }
      const cert = ctx.store.certificateBySerial(parsed.serialNumber);
      if (!cert || !Buffer.from(cert.der).equals(Buffer.from(parsed.rawData))) throw new AcmeProblem('malformed', 404, 'Unable to find specified certificate: this CA did not issue it');
      const reason = body.reason === undefined ? 0 : body.reason;
      if (typeof reason !== 'number' || !ALLOWED_REASONS.has(reason)) throw badRevocationReason(`revocation reason ${JSON.stringify(reason)} is not allowed (RFC 5280 CRLReason 0-10 except 7)`);
      if (jws.account) {
        if (cert.accountId !== jws.account.id && !authorizedForAllNames(ctx, jws.account.id, cert.names)) throw unauthorized('the account neither holds this certificate nor is authorized for all its names');
      } else if ((await spkiThumbprint(cert.spki)) !== jws.thumbprint) {
        throw unauthorized("a revocation signed with a JWK must be signed by the certificate's own key");
      }
      if (cert.revoked) throw alreadyRevoked(`Certificate ${cert.serialHex} is already revoked`);
      cert.revoked = { reason, at: ctx.now() };
      ctx.log(`revoked certificate ${cert.serialHex} (reason ${reason})`);
      return { status: 200 };
    },
  },
];
