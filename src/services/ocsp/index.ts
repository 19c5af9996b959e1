// `ocsp`: an OCSP responder (RFC 6960) for the scenario's CAs over plain HTTP, POST with an
// application/ocsp-request body or GET /<base64 of the DER request>. Each answer is signed by the
// CA that issued the certificate asked about, or by the `responder` item that CA delegated to,
// and says good, revoked (from the revoke steps, with time and reason) or unknown. Its port is
// reserved before the PKI, so certificates can name it:
//
//   pki:
//     ca: { subject: "/CN=Example CA" }
//     server: { issuer: ca, san: [localhost], ocsp: ["{{ocsp.url}}"] }
//   services:
//     ocsp: { kind: ocsp }
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { s, type Infer } from '../../scenario/schema.ts';
import { defineService, type ServiceContext } from '../types.ts';
import { guarded } from '../request-guard.ts';
import { serveOn } from '../../net/reserved-port.ts';
import { when } from '../../pki/declare.ts';
import { resolveWhen } from '../../pki/when.ts';
import { certificateItem } from '../../pki/material.ts';
import { answerOcsp, wholeSeconds } from '../../pki/ocsp.ts';
import { plainHttpAddress, plainHttpListeners } from '../plain-http.ts';

export type OcspServiceSpec = Infer<typeof ocspSchema>;

const MAX_REQUEST_BYTES = 65_536;


/** The DER request: a POST body, or the base64 (URL-encoded) after the path's last slash. */
function requestBytes(req: IncomingMessage): Promise<Uint8Array | string> {
  if (req.method === 'GET') {
    req.resume();
    const encoded = (req.url ?? '/').slice(1).split('?')[0]!;
    try {
      return Promise.resolve(new Uint8Array(Buffer.from(decodeURIComponent(encoded), 'base64')));
    } catch {
      return Promise.resolve('the path is not URL-encoded base64');
    }
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(d);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? `a request over ${MAX_REQUEST_BYTES} bytes` : new Uint8Array(Buffer.concat(chunks))));
  });
}

async function answer(req: IncomingMessage, res: ServerResponse, spec: OcspServiceSpec, ctx: ServiceContext): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'POST') {
    req.resume();
    res.writeHead(405, { allow: 'GET, POST', 'content-type': 'text/plain' });
    return void res.end('OCSP: POST an application/ocsp-request, or GET /<base64 of it>\n');
  }
  const bytes = await requestBytes(req);
  // Whole seconds: a GeneralizedTime with a fraction is one that not every client reads.
  const thisUpdate = wholeSeconds(spec.thisUpdate ? resolveWhen(spec.thisUpdate, new Date()) : new Date());
  const nextUpdate = wholeSeconds(resolveWhen(spec.nextUpdate ?? '+7d', thisUpdate));
  const reply = answerOcsp(typeof bytes === 'string' ? new Uint8Array() : bytes, ctx.pki, ctx.revocations, {
    thisUpdate,
    nextUpdate,
    ...(spec.cas ? { cas: spec.cas } : {}),
    ...(spec.responder ? { responder: certificateItem(ctx.pki, spec.responder, 'responder') } : {}),
  });
  ctx.log(`ocsp ${req.method}: ${typeof bytes === 'string' ? `malformedRequest: ${bytes}` : reply.summary}`);
  res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': String(reply.der.length), 'cache-control': 'no-cache' });
  res.end(reply.der);
}

const ocspSchema = s.object({
  port: s.integer({ minimum: 0, maximum: 65535, description: 'pin a port (default 0: the system chooses)' }),
  cas: s.array(s.string({ ref: 'pki' }), { description: 'the CA items it answers for (default: every CA of the scenario); a request about another is unauthorized' }),
  responder: s.string({ ref: 'pki', description: 'a certificate item with extendedKeyUsage [OCSPSigning] that signs for the CA that issued it (default: each CA signs its own answers)' }),
  thisUpdate: s.describe(when, 'thisUpdate of every answer, an ISO date or an offset from the moment of the request (default: now)'),
  nextUpdate: s.describe(when, 'nextUpdate, an offset from thisUpdate or an ISO date (default +7d); a past one makes stale answers'),
});

export const ocspService = defineService({
  kind: 'ocsp',
  summary: "an OCSP responder (RFC 6960) for the scenario's CAs: good, revoked (from revoke steps) or unknown, signed by the CA or a delegated responder, nonce echoed",
  listeners: plainHttpListeners<OcspServiceSpec>(),
  schema: ocspSchema,
  properties: ['url', 'host', 'port'],
  async start(spec, ctx) {
    if (spec.responder) certificateItem(ctx.pki, spec.responder, 'responder');
    const server = http.createServer((req, res) => guarded(res, ctx.log, `ocsp ${req.method}`, () => answer(req, res, spec, ctx)));
    const listening = await serveOn(server, { host: ctx.host, port: spec.port, reserved: ctx.reserved?.port });
    return { props: plainHttpAddress({ port: listening.port }, ctx.host), stop: listening.close };
  },
});
