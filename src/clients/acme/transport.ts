// HTTPS for the ACME client: one keep-alive connection pool per client, trusting the CA bundle
// it is given (Pebble's and ours are served by a private CA). undici where it is the real one,
// node:https on Bun, whose undici ignores `ca` (see src/runtime).
import https from 'node:https';
import { lazyAgent } from '../undici-agent.ts';
import { hasNativeUndici } from '../../runtime/index.ts';

export interface AcmeHttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Every Link header value with its rel, in order (RFC 8288). */
  links: { rel: string; url: string }[];
  body: Buffer;
}

export interface AcmeTransportOptions {
  /** PEM bundle of the roots that sign the server's certificate. */
  ca?: string;
  /** Accept any server certificate (like `curl -k`). */
  insecure?: boolean;
  userAgent?: string;
}

export interface AcmeTransport {
  request(method: 'GET' | 'HEAD' | 'POST', url: string, o?: { body?: string; contentType?: string; signal?: AbortSignal }): Promise<AcmeHttpResponse>;
  close(): Promise<void>;
}

export function parseLinks(values: string[], base: string): { rel: string; url: string }[] {
  const out: { rel: string; url: string }[] = [];
  for (const value of values) {
    for (const part of value.split(/,\s*(?=<)/)) {
      const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
      if (!m) continue;
      const rel = /rel="?([^";]+)"?/.exec(m[2]!)?.[1];
      if (rel) out.push({ rel, url: new URL(m[1]!, base).toString() });
    }
  }
  return out;
}

function flatten(h: Record<string, string | string[] | undefined>): { headers: Record<string, string>; link: string[] } {
  const headers: Record<string, string> = {};
  let link: string[] = [];
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    if (k.toLowerCase() === 'link') link = Array.isArray(v) ? v : [v];
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return { headers, link };
}

export function createTransport(o: AcmeTransportOptions = {}): AcmeTransport {
  const userAgent = o.userAgent ?? 'certharness-acme';
  const tls = { ...(o.ca ? { ca: o.ca } : {}), rejectUnauthorized: !o.insecure };
  if (hasNativeUndici()) {
    const undici = lazyAgent({ connect: tls, keepAliveTimeout: 10_000 });
    return {
      async request(method, url, r = {}) {
        const { agent, request: undiciRequest } = await undici.get();
        const res = await undiciRequest(url, {
          method,
          dispatcher: agent,
          headers: { 'user-agent': userAgent, ...(r.contentType ? { 'content-type': r.contentType } : {}) },
          ...(r.body !== undefined ? { body: r.body } : {}),
          ...(r.signal ? { signal: r.signal } : {}),
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        const { headers, link } = flatten(res.headers);
        return { status: res.statusCode, headers, links: parseLinks(link, url), body };
      },
      close: () => undici.close(),
    };
  }
  const agent = new https.Agent({ keepAlive: true, ...tls });
  return {
    request(method, url, r = {}) {
      return new Promise((resolve, reject) => {
        const req = https.request(url, { method, agent, headers: { 'user-agent': userAgent, ...(r.contentType ? { 'content-type': r.contentType } : {}) }, ...(r.signal ? { signal: r.signal } : {}) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('error', reject);
          res.on('end', () => {
            const { headers, link } = flatten(res.headers);
            // node:http joins repeated Link headers with ", ": parseLinks splits them again.
            resolve({ status: res.statusCode ?? 0, headers, links: parseLinks(link, url), body: Buffer.concat(chunks) });
          });
        });
        req.on('error', reject);
        req.end(r.body);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}
