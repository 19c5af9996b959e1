// `upstream`: an HTTPS server with the scenario's certificate that can require client
// certificates, as document 001's API backend on 8443. By default it answers every request with
// a JSON echo of what it saw, client certificate included, so steps can assert what arrived;
// `connection.request` numbers the requests of each TLS connection (2 and up: a client or
// proxy that keeps its connections), `tls.sessionReused` says whether the handshake resumed.
//
//   services:
//     upstream: { kind: upstream, cert: server, clientCa: ca, clientAuth: required }
//     api: { kind: upstream, cert: server, routes: [{ path: /health, status: 204 }] }
//
// The TLS server hands each connection to an HTTP server ('connection' event): this reads the
// client certificate from the TLS socket the same way under Node, Bun and Deno (Bun's
// node:https request sockets have no getPeerCertificate).
import tls, { type TLSSocket } from 'node:tls';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import { s, type Infer } from '../../scenario/schema.ts';
import { defineService, type ServiceContext } from '../types.ts';
import { crlIssuers, currentCrlsPem } from '../../pki/crl.ts';
import { serveOn } from '../../net/reserved-port.ts';
import { guarded } from '../request-guard.ts';
import { certificateItem, SERVED_CHAINS, serverMaterial, trustAnchors } from '../../pki/material.ts';
import { stapledAnswer } from '../../pki/ocsp.ts';
import { certificateFacts } from '../../clients/tls-details.ts';

export type Route = Infer<typeof routeSchema>;

export type UpstreamSpec = Infer<typeof upstreamSchema>;

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

export function clientCertificateSeen(socket: TLSSocket): Record<string, unknown> {
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  if (!peer || !peer.raw) return { presented: false };
  const f = certificateFacts(peer);
  return { presented: true, subject: f.subject, issuer: f.issuer, commonName: f.commonName ?? '', serial: f.serial, fingerprint: f.fingerprint, verified: socket.authorized, ...(socket.authorizationError ? { verifyError: String(socket.authorizationError) } : {}) };
}

/** What a route with `clientCertificate: true` says of the certificate the server saw. */
function clientCertificateLine(seen: Record<string, unknown>): string {
  if (!seen.presented) return 'client certificate: none';
  return `client certificate: presented, ${seen.subject} from ${seen.issuer}, ${seen.verified ? 'verified' : `not verified: ${seen.verifyError ?? 'unknown'}`}`;
}

function matchRoute(routes: Route[], req: IncomingMessage | Http2ServerRequest): Route | undefined {
  const path = (req.url ?? '/').split('?')[0]!;
  return routes.find((r) => (r.method === undefined || r.method.toUpperCase() === req.method) && (r.path.endsWith('*') ? path.startsWith(r.path.slice(0, -1)) : r.path === path));
}

function upstreamAddress(ports: Record<string, number>, host: string): Record<string, string | number> {
  return { url: `https://${host}:${ports.port}`, host, port: ports.port!, hostUrl: `https://localhost:${ports.port}` };
}

const routeSchema = s.object(
  {
    path: s.string({ description: 'exact path, or a prefix ending in *' }),
    method: s.string({ description: 'only for this method (default: any)' }),
    status: s.integer({ minimum: 100, maximum: 599, description: 'status of the answer (default 200)' }),
    headers: s.map(s.string(), 'headers of the answer'),
    body: s.string({ description: 'body of the answer' }),
    clientCertificate: s.boolean('end the body with a line saying which client certificate the server saw: `client certificate: none`, or `client certificate: presented, <subject> from <issuer>, verified` (or `not verified: <why>`)'),
  },
  { required: ['path'] },
);

const upstreamSchema = s.object(
  {
    cert: s.string({ ref: 'pki', description: 'the server certificate item (its chain and key are served)' }),
    clientCa: s.anyOf([s.string({ ref: 'pki' }), s.array(s.string({ ref: 'pki' }))], 'CA item(s) client certificates must chain to'),
    clientAuth: s.enum(['required', 'optional', 'off'], 'client certificates: required (default with clientCa), optional, off (default without)'),
    crl: s.anyOf(
      [s.string({ ref: 'pki' }), s.array(s.string({ ref: 'pki' }))],
      "CA item(s) whose current CRLs the server checks, as nginx ssl_crl does: a revoked client certificate is refused with certificate_revoked from the revoke step on. Name every CA of the client's chain (OpenSSL then wants a CRL for each)",
    ),
    port: s.integer({ minimum: 0, maximum: 65535, description: 'pin a port (default 0: the system chooses)' }),
    routes: s.array(routeSchema, { description: 'canned answers; other requests get the JSON echo' }),
    minVersion: s.enum(TLS_VERSIONS, 'lowest TLS version accepted'),
    maxVersion: s.enum(TLS_VERSIONS, 'highest TLS version accepted'),
    ocspStapling: s.boolean('staple an OCSP answer about its own certificate when a client asks (status_request): the answer the scenario\'s responders give, signed by the CA that issued it; curl --cert-status checks it'),
    chain: s.enum(SERVED_CHAINS, "what it sends: full (leaf and intermediates, default), leaf-only (an incomplete chain, as a misconfigured server sends), reversed (the intermediates in reverse order)"),
    http2: s.boolean('offer h2 as well as http/1.1 in ALPN (default false: curl then negotiates h2, and its failure messages change)'),
  },
  { required: ['cert'] },
);

/** The CA items whose CRLs the upstream checks, and their current CRLs in PEM. */
function crlChecks(names: string | string[] | undefined, ctx: ServiceContext): { cas: string[]; crls: () => Promise<string[]> } | undefined {
  if (names === undefined) return undefined;
  const cas = Array.isArray(names) ? names : [names];
  crlIssuers(cas, ctx.pki); // refuses a name that issues no CRL before the server starts
  return { cas, crls: () => currentCrlsPem(cas, ctx.pki, ctx.revocations) };
}

export const upstreamService = defineService({
  kind: 'upstream',
  summary: 'an HTTPS server that can require client certificates; echoes what it saw as JSON',
  listeners: {
    ports: (spec) => ({ port: spec.port }),
    address: upstreamAddress,
    properties: ['url', 'host', 'port', 'hostUrl'],
  },
  schema: upstreamSchema,
  properties: ['url', 'host', 'port', 'hostUrl'],
  async start(spec, ctx) {
    const material = serverMaterial(ctx.pki, spec.cert, 'cert', spec.chain);
    const mode = spec.clientAuth ?? (spec.clientCa ? 'required' : 'off');
    if (mode !== 'off' && !spec.clientCa) throw new Error(`clientAuth ${mode} needs clientCa: the CA client certificates must chain to`);
    const revocationChecks = crlChecks(spec.crl, ctx);
    if (revocationChecks && !spec.clientCa) throw new Error('crl needs clientCa: CRLs are checked for client certificates');
    const routes = spec.routes ?? [];
    const handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) =>
      guarded(res as ServerResponse, ctx.log, `${req.method} ${String(req.url).slice(0, 200)}`, () => respond(req, res));
    // Requests seen per TLS connection: what shows a client (or a proxy) keeping its connections.
    const requestsOn = new WeakMap<object, number>();
    const respond = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
      const socket = req.socket as TLSSocket;
      // HTTP/2 hands each stream a socket of its own: its connection is the session.
      const connection: object = 'stream' in req ? req.stream.session ?? socket : socket;
      const onConnection = (requestsOn.get(connection) ?? 0) + 1;
      requestsOn.set(connection, onConnection);
      const route = matchRoute(routes, req);
      ctx.log(`${req.method} ${req.url} client certificate: ${JSON.stringify(clientCertificateSeen(socket))}`);
      req.resume();
      req.on('end', () => guarded(res as ServerResponse, ctx.log, `${req.method} ${String(req.url).slice(0, 200)}`, () => {
        if (route) {
          (res as ServerResponse).writeHead(route.status ?? 200, route.headers ?? {});
          res.end(route.clientCertificate ? `${route.body ?? ''}${clientCertificateLine(clientCertificateSeen(socket))}\n` : route.body ?? '');
          return;
        }
        const echo = {
          httpVersion: req.httpVersion,
          method: req.method,
          path: req.url,
          headers: req.headers,
          sni: socket.servername || null,
          tls: { protocol: socket.getProtocol?.() ?? null, cipher: socket.getCipher?.()?.standardName ?? null, alpn: socket.alpnProtocol || null, sessionReused: socket.isSessionReused?.() ?? false },
          connection: { request: onConnection },
          clientCertificate: clientCertificateSeen(socket),
        };
        (res as ServerResponse).writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(echo));
      }));
    };
    const httpServer = http.createServer(handler);
    // HTTP/2 over the same TLS listener: ALPN decides which server gets the connection.
    const h2Server = http2.createServer(handler);
    const sockets = new Set<Socket>();
    // What the secure context holds, made again when a CA it checks revokes something.
    const contextOptions = async (): Promise<tls.SecureContextOptions> => ({
      ...material,
      ...(spec.clientCa ? { ca: trustAnchors(ctx.pki, spec.clientCa, 'clientCa') } : {}),
      ...(revocationChecks ? { crl: await revocationChecks.crls() } : {}),
      ...(spec.minVersion ? { minVersion: spec.minVersion } : {}),
      ...(spec.maxVersion ? { maxVersion: spec.maxVersion } : {}),
    });
    const server = tls.createServer(
      {
        ...(await contextOptions()),
        requestCert: mode !== 'off',
        rejectUnauthorized: mode === 'required',
        ALPNProtocols: spec.http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      },
      (socket) => (socket.alpnProtocol === 'h2' ? h2Server : httpServer).emit('connection', socket),
    );
    if (spec.ocspStapling) {
      const own = certificateItem(ctx.pki, spec.cert, 'cert');
      server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, response?: Buffer) => void) => {
        const now = new Date(Math.floor(Date.now() / 1000) * 1000);
        const staple = stapledAnswer(own, ctx.pki, ctx.revocations, { thisUpdate: now, nextUpdate: new Date(now.getTime() + 7 * 86_400_000) });
        if (staple) ctx.log(`stapled: ${staple.summary}`);
        done(null, staple ? Buffer.from(staple.der) : undefined);
      });
    }
    const unsubscribe = revocationChecks ? ctx.revocations.subscribe(async (issuer) => {
      if (revocationChecks.cas.includes(issuer)) server.setSecureContext(await contextOptions());
    }) : undefined;
    server.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    // Node: ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE when a required certificate is missing.
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      ctx.log(`TLS handshake failed: ${err.code ?? ''} ${err.message}`);
      // Let the alert reach the client before the socket goes: under load, Deno otherwise closes
      // the connection before writing it, and the client sees an empty reply instead of the reason.
      setTimeout(() => socket.destroy(), 50).unref();
    });
    const listening = await serveOn(server, { host: ctx.host, port: spec.port, reserved: ctx.reserved?.port });
    return {
      props: upstreamAddress({ port: listening.port }, ctx.host),
      async stop() {
        unsubscribe?.();
        for (const sock of sockets) sock.destroy();
        await listening.close();
        httpServer.close();
        h2Server.close();
      },
    };
  },
});
