// The web front end's plumbing: a route table, the request as handlers see it, and the one
// place a reply is written, so every response carries Replay-Nonce, Link rel="index" and
// Cache-Control, and every problem goes out as application/problem+json (RFC 8555 §6.5, §6.7).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AcmeProblem, malformed, methodNotAllowed, notFound, payloadTooLarge, serverInternal, unsupportedMediaType } from '../problems.ts';
import type { WfeContext } from './context.ts';
import { verifyJws, type VerifiedJws } from '../jws.ts';

export type Method = 'GET' | 'HEAD' | 'POST';

export interface AcmeRequest {
  method: Method;
  /** The URL as the client addressed it (scheme https, its Host header): the JWS `url` must equal it. */
  url: string;
  base: string;
  params: string[];
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface AcmeReply {
  status: number;
  headers?: Record<string, string | string[]>;
  json?: unknown;
  text?: string;
  contentType?: string;
}

export interface Route {
  /** Matched against the path; capture groups become `params`. */
  path: RegExp;
  methods: Method[];
  handle(req: AcmeRequest, ctx: WfeContext): Promise<AcmeReply>;
}

/** A signed request to this resource: checks Content-Type (415), then the JWS. */
export async function signedRequest(req: AcmeRequest, ctx: WfeContext, signer: 'jwk' | 'kid' | 'either' = 'kid'): Promise<VerifiedJws> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/jose+json') throw unsupportedMediaType(req.headers['content-type']);
  return verifyJws(req.body, req.url, signer, { store: ctx.store, nonces: ctx.nonces, accountUrlPrefix: `${req.base}/my-account/` });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > limit) {
        reject(payloadTooLarge(limit));
        req.resume();
        return;
      }
      chunks.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decodePathParam(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    throw malformed(`the URL path has a malformed percent-encoding: ${p.slice(0, 100)}`);
  }
}

/** Dispatches one HTTP request through the routes; never throws. */
export async function dispatch(routes: Route[], ctx: WfeContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const base = `https://${req.headers.host ?? ctx.defaultHost}`;
  const [path, search = ''] = (req.url ?? '/').split('?') as [string, string?];
  let reply: AcmeReply;
  try {
    const method = (req.method ?? 'GET').toUpperCase() as Method;
    if (Number(req.headers['content-length'] ?? 0) > ctx.options.maxBodyBytes) throw payloadTooLarge(ctx.options.maxBodyBytes);
    const body = method === 'POST' ? await readBody(req, ctx.options.maxBodyBytes) : Buffer.alloc(0);
    let matched: { route: Route; params: string[] } | undefined;
    for (const route of routes) {
      const m = route.path.exec(path);
      if (m) {
        matched = { route, params: m.slice(1).map((p) => decodePathParam(p ?? '')) };
        break;
      }
    }
    if (!matched) throw notFound(`no resource at ${path}`);
    if (!matched.route.methods.includes(method)) throw methodNotAllowed(matched.route.methods);
    reply = await matched.route.handle({ method, url: base + path + (search ? `?${search}` : ''), base, params: matched.params, query: new URLSearchParams(search), headers: req.headers, body }, ctx);
  } catch (e) {
    const problem = e instanceof AcmeProblem ? e : serverInternal((e as Error).message);
    if (!(e instanceof AcmeProblem)) ctx.log(`internal error on ${req.method} ${path}: ${(e as Error).stack ?? e}`);
    reply = { status: problem.status, headers: problem.headers, json: problem.toJSON(), contentType: 'application/problem+json' };
  }
  try {
    write(res, reply, base, ctx);
  } catch (e) {
    // A reply that cannot be written (a Host header that makes an invalid Link) ends that connection only.
    ctx.log(`could not answer ${req.method} ${path.slice(0, 200)}: ${(e as Error).message}`);
    res.destroy();
  }
}

function write(res: ServerResponse, reply: AcmeReply, base: string, ctx: WfeContext): void {
  const links = [`<${base}/dir>;rel="index"`];
  const extra = reply.headers?.link;
  if (extra) links.push(...(Array.isArray(extra) ? extra : [extra]));
  const headers: Record<string, string | string[]> = { ...reply.headers, 'replay-nonce': ctx.nonces.issue(), link: links, 'cache-control': 'public, max-age=0, no-cache' };
  let body: string | undefined;
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json, null, 2);
    headers['content-type'] = reply.contentType ?? 'application/json; charset=utf-8';
  } else if (reply.text !== undefined) {
    body = reply.text;
    headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers);
  res.end(body);
}
