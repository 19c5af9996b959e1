// `crl`: the CRLs of the scenario's CAs over plain HTTP, as a CA's CRL distribution point
// serves them (RFC 5280 §4.2.1.13; HTTP, not HTTPS, so that checking a CRL needs no other
// check first). GET /<ca>.crl is DER (application/pkix-crl), /<ca>.crl.pem is PEM. Each CRL is
// made when asked for, from what the scenario has revoked so far (the `revoke` step): its number
// grows with every revocation and an unchanged list is the same CRL every time. Its port is
// reserved before the PKI, so certificates can point at it:
//
//   pki:
//     ca: { subject: "/CN=Example CA" }
//     client: { issuer: ca, usage: client, crlDistributionPoints: ["{{crl.url}}/ca.crl"] }
//   services:
//     crl: { kind: crl }
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { s, duration, type Infer } from '../../scenario/schema.ts';
import { parseDuration } from '../../scenario/duration.ts';
import { defineService, type ServiceContext } from '../types.ts';
import { guarded } from '../request-guard.ts';
import { serveOn } from '../../net/reserved-port.ts';
import { currentCrl, signingCas, CURRENT_CRL_VALIDITY_MS } from '../../pki/crl.ts';
import { plainHttpAddress, plainHttpListeners, sendCrl } from '../plain-http.ts';

export type CrlServiceSpec = Infer<typeof crlSchema>;



async function answer(req: IncomingMessage, res: ServerResponse, ctx: ServiceContext, nextUpdateMs: number): Promise<void> {
  req.resume();
  const path = (req.url ?? '/').split('?')[0]!;
  const m = /^\/([A-Za-z0-9_.-]+?)\.crl(\.pem)?$/.exec(path);
  const cas = signingCas(ctx.pki);
  const ca = m ? cas.get(m[1]!) : undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    return void res.end('GET /<ca>.crl or /<ca>.crl.pem\n');
  }
  if (!ca) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return void res.end(`no CRL here: ${[...cas.keys()].map((n) => `/${n}.crl`).join(', ') || 'the scenario has no CA with its key'}\n`);
  }
  sendCrl(req, res, await currentCrl(m![1]!, ca, ctx.revocations, nextUpdateMs), m![2] !== undefined);
}

const crlSchema = s.object({
  port: s.integer({ minimum: 0, maximum: 65535, description: 'pin a port (default 0: the system chooses)' }),
  nextUpdate: duration('how long each CRL says it is good for, from the last change (default 7d)'),
});

export const crlService = defineService({
  kind: 'crl',
  summary: "the CRLs of the scenario's CAs over HTTP (GET /<ca>.crl, DER; /<ca>.crl.pem), listing what revoke steps revoked",
  listeners: plainHttpListeners<CrlServiceSpec>(),
  schema: crlSchema,
  properties: ['url', 'host', 'port'],
  async start(spec, ctx) {
    const nextUpdateMs = spec.nextUpdate !== undefined ? parseDuration(spec.nextUpdate)! : CURRENT_CRL_VALIDITY_MS;
    const server = http.createServer((req, res) => guarded(res, ctx.log, `crl ${req.url}`, () => answer(req, res, ctx, nextUpdateMs)));
    const listening = await serveOn(server, { host: ctx.host, port: spec.port, reserved: ctx.reserved?.port });
    return { props: plainHttpAddress({ port: listening.port }, ctx.host), stop: listening.close };
  },
});
