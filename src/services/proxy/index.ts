// `proxy`: a plain-HTTP listener that forwards to an HTTPS upstream and presents a client
// certificate there, as nginx does in document 001 with proxy_ssl_certificate. Its knobs are
// nginx's; a failed upstream handshake answers 502 and says why in nginx's words, in the log
// and in the `x-upstream-error` response header.
//
//   services:
//     proxy: { kind: proxy, to: upstream, clientCert: client, trust: ca, verify: true }
//     # nginx: proxy_pass https://upstream; proxy_ssl_certificate client.crt; proxy_ssl_certificate_key client.key;
//     #        proxy_ssl_trusted_certificate ca.crt; proxy_ssl_verify on;
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { s, type Infer } from '../../scenario/schema.ts';
import { defineService } from '../types.ts';
import { clientMaterial, trustAnchors } from '../../pki/material.ts';
import { createUpstreamClient } from '../../clients/upstream-client.ts';
import { nginxUpstreamError } from './nginx-terms.ts';
import { guarded } from '../request-guard.ts';

export type ProxySpec = Infer<typeof proxySchema>;

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
// RFC 9110 §7.6.1: connection-specific fields are not forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/**
 * The path to send upstream, or undefined when the request names another destination. An
 * absolute-form target (RFC 9112 §3.2.2) is accepted only for this proxy's own address; `*`,
 * authority-form and every other host are refused.
 */
export function upstreamPath(target: string, ownAuthority: string): string | undefined {
  if (target.startsWith('/')) return target;
  try {
    const u = new URL(target);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.host === ownAuthority && !u.username && !u.password) return `${u.pathname}${u.search}`;
  } catch {
    /* not a URL: refused below */
  }
  return undefined;
}

/** A header value made of visible characters only, so a message cannot break a response (ERR_INVALID_CHAR). */
function headerText(text: string): string {
  return text.replace(/[^\t\x20-\x7e]/g, '?').slice(0, 1000);
}

const proxySchema = s.object({
  to: s.string({ ref: 'service', description: 'the upstream service (proxy_pass https://...)' }),
  target: s.string({ description: 'or an upstream URL, e.g. a real deployment: https://api.example.net:8443', pattern: '^https://', examples: ['https://api.example.net:8443'] }),
  clientCert: s.string({ ref: 'pki', description: 'certificate item presented upstream (proxy_ssl_certificate / _key)' }),
  trust: s.anyOf([s.string({ ref: 'pki' }), s.array(s.string({ ref: 'pki' }))], 'CA item(s) the upstream must chain to (proxy_ssl_trusted_certificate)'),
  verify: s.boolean('verify the upstream certificate (proxy_ssl_verify); default: on when trust is given'),
  name: s.string({ description: 'the name the upstream certificate must match (proxy_ssl_name); default: the upstream host' }),
  sni: s.boolean('send the name as SNI (proxy_ssl_server_name); default false, as nginx'),
  minVersion: s.enum(TLS_VERSIONS, 'lower TLS version (proxy_ssl_protocols)'),
  maxVersion: s.enum(TLS_VERSIONS, 'upper TLS version (proxy_ssl_protocols)'),
  port: s.integer({ minimum: 0, maximum: 65535, description: 'pin the listening port (default 0)' }),
});

export const proxyService = defineService({
  kind: 'proxy',
  summary: 'a plain-HTTP proxy that forwards to an HTTPS upstream presenting a client certificate (nginx proxy_ssl_* style)',
  schema: proxySchema,
  properties: ['url', 'host', 'port'],
  async start(spec, ctx) {
    const targetUrl = spec.to ? String(ctx.services[spec.to]?.url ?? '') : spec.target;
    if (!targetUrl) throw new Error('proxy needs `to` (a service) or `target` (a URL)');
    const origin = new URL(targetUrl);
    const upstreamHost = origin.hostname.replace(/^\[|\]$/g, '');
    const verifyName = spec.name ?? upstreamHost;
    const client = spec.clientCert ? clientMaterial(ctx.pki, spec.clientCert) : undefined;
    const verify = spec.verify ?? Boolean(spec.trust);
    const upstream = createUpstreamClient(origin, {
      ...(spec.trust ? { ca: trustAnchors(ctx.pki, spec.trust) } : {}),
      insecure: !verify,
      ...(client ?? {}),
      servername: spec.sni ? verifyName : false,
      verifyName,
      ...(spec.minVersion ? { minVersion: spec.minVersion } : {}),
      ...(spec.maxVersion ? { maxVersion: spec.maxVersion } : {}),
    });
    let ownAuthority = '';
    const handler = async (req: IncomingMessage, res: ServerResponse) => {
      const path = upstreamPath(req.url ?? '/', ownAuthority);
      if (path === undefined) {
        // A reverse proxy for one upstream: a request naming another host is refused rather than relayed there with our client certificate.
        ctx.log(`[warn] refused request target ${JSON.stringify((req.url ?? '').slice(0, 200))}: this proxy forwards only to ${targetUrl}`);
        req.resume();
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`400 Bad Request\nthis proxy forwards only to its upstream; send origin-form targets (/path)\n`);
        return;
      }
      const headers: Record<string, string | string[]> = { host: origin.host };
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
      const hasBody = !['GET', 'HEAD'].includes(req.method ?? 'GET');
      const r = await upstream.forward({ method: req.method ?? 'GET', path, headers, ...(hasBody ? { body: req } : {}) }, (head) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(head.headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
        return res.writeHead(head.status, out);
      });
      if ('clientLeft' in r) ctx.log(`[info] the client closed the connection before the response ended (${req.method} ${JSON.stringify(path.slice(0, 200))})`);
      if ('error' in r && r.answered) {
        // The upstream answered and then failed: the client's response is cut short, as nginx's would be.
        ctx.log(`[error] relaying the response: ${r.error.message}`);
        res.destroy();
        return;
      }
      if ('error' in r) {
        const why = nginxUpstreamError(r.error, verifyName, r.tlsVersion);
        ctx.log(`[error] ${why}, upstream: "${targetUrl}" (${r.error.code}${r.error.alert ? `, alert ${r.error.alert}` : ''})`);
        req.resume();
        res.writeHead(502, { 'content-type': 'text/plain', 'x-upstream-error': headerText(why), 'x-upstream-error-code': headerText(r.error.code) });
        res.end(`502 Bad Gateway\n${why}\n`);
        return;
      }
    };
    const server = http.createServer((req, res) => {
      // One request's failure is that request's: answered 500 (or its connection closed), logged, never the process's.
      guarded(res, ctx.log, `proxying ${req.method} ${JSON.stringify((req.url ?? '').slice(0, 200))}`, () => handler(req, res));
    });
    const sockets = new Set<Socket>();
    server.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(spec.port ?? 0, ctx.host, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    ownAuthority = `${ctx.host}:${port}`;
    return {
      props: { url: `http://${ctx.host}:${port}`, host: ctx.host, port },
      async stop() {
        for (const sock of sockets) sock.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await upstream.close();
      },
    };
  },
});
