// HTTPS requests with every TLS option a certificate workflow needs, and the details of the
// handshake in the result. undici does the HTTP; the TLS socket is ours (a custom connector), so
// the handshake's protocol, cipher, chain and errors are read from it directly.
//
// Runtime note: Bun replaces undici with its own implementation, which ignores custom
// connectors and the `ca` option; there the request goes through node:https (see
// src/runtime/index.ts and docs/runtimes.md).
import tls, { type ConnectionOptions, type TLSSocket } from 'node:tls';
import https from 'node:https';
import { captureStaple, describeTls, peerChainDer, tlsFailure, type HandshakeCapture, type TlsDetails, type TlsFailure } from './tls-details.ts';
import { hasNativeUndici } from '../runtime/index.ts';
import { answered, nodeErrorPhase, type Exchange, type Refusal } from './exchange.ts';

export interface TlsClientOptions {
  ca?: string | string[];
  /** curl -k: do not verify the server certificate (the details still say whether it would have). */
  insecure?: boolean;
  cert?: string;
  key?: string;
  passphrase?: string;
  /** SNI and the name the certificate must match; false sends no SNI. */
  servername?: string | false;
  /** The name the server certificate must match, when it differs from the SNI (nginx proxy_ssl_name). */
  verifyName?: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  alpn?: string[];
  /** Ask for the server's stapled OCSP answer (status_request, curl --cert-status). */
  requestOcsp?: boolean;
}

export interface HttpsRequestOptions extends TlsClientOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Filled with the server's chain and staple in DER, for a revocation check after the exchange. */
  capture?: HandshakeCapture;
}

export interface HttpsResult {
  status?: number;
  headers: Record<string, string>;
  body: string;
  json?: unknown;
  timings: { connectMs?: number; tlsMs?: number; firstByteMs?: number; totalMs: number };
  tls?: TlsDetails;
  error?: TlsFailure;
  /** How far it got, and whether the server refused (see exchange.ts). */
  phase: Exchange['phase'];
  refused: boolean;
  refusal?: Refusal;
}

/** node:tls options for a client connection with these settings. */
export function tlsConnectOptions(host: string, port: number, o: TlsClientOptions): ConnectionOptions {
  const sni = o.servername === false ? undefined : o.servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host);
  return {
    host,
    port,
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.cert ? { cert: o.cert } : {}),
    ...(o.key ? { key: o.key } : {}),
    ...(o.passphrase !== undefined ? { passphrase: o.passphrase } : {}),
    ...(sni ? { servername: sni } : {}),
    // The name to verify: verifyName, else the SNI name, else the host.
    ...(o.verifyName || o.servername ? { checkServerIdentity: (_h: string, cert: tls.PeerCertificate) => tls.checkServerIdentity((o.verifyName || o.servername) as string, cert) } : {}),
    rejectUnauthorized: !o.insecure,
    ...(o.minVersion ? { minVersion: o.minVersion } : {}),
    ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}),
    ...(o.alpn ? { ALPNProtocols: o.alpn } : {}),
    ...(o.requestOcsp ? { requestOCSP: true } : {}),
  };
}

export interface Observed {
  socket?: TLSSocket;
  /** Read at the end of the handshake: after the response the socket may be gone. */
  details?: TlsDetails;
  error?: unknown;
  connectAt?: number;
  secureAt?: number;
}

/**
 * An undici connector that makes the TLS socket itself and records what happens to it in the
 * object `observe` returns for each new connection.
 */
export function observingConnector(o: TlsClientOptions & { capture?: HandshakeCapture }, observe: () => Observed): (opts: { hostname: string; port: string }, cb: (err: Error | null, socket: TLSSocket | null) => void) => void {
  return (opts, cb) => {
    const seen = observe();
    const socket = tls.connect(tlsConnectOptions(opts.hostname.replace(/^\[|\]$/g, ''), Number(opts.port), o));
    if (o.capture) captureStaple(socket, o, o.capture);
    seen.socket = socket;
    let settled = false;
    socket.once('connect', () => (seen.connectAt = performance.now()));
    socket.once('secureConnect', () => {
      seen.secureAt = performance.now();
      seen.details = describeTls(socket);
      if (o.capture) o.capture.chain = peerChainDer(socket);
      if (!settled) (settled = true), cb(null, socket);
    });
    socket.on('error', (e) => {
      seen.error ??= e;
      if (!settled) (settled = true), cb(e, null);
    });
  };
}

/**
 * Why the server hung up. With TLS 1.3 a server that refuses the client certificate sends its
 * alert after the client considers the handshake done; undici only sees "other side closed".
 * A plain TLS connection that sends a request reads the alert.
 */
export function diagnoseClose(host: string, port: number, o: TlsClientOptions, timeoutMs = 3000): Promise<TlsFailure | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect(tlsConnectOptions(host, port, o));
    const done = (f: TlsFailure | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(f);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('secureConnect', () => socket.write(`HEAD / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    socket.once('error', (e) => done(tlsFailure(e)));
    socket.once('end', () => done({ code: 'ECONNRESET', message: 'the server closed the connection without a TLS alert (as Node does when the client certificate does not verify)' }));
    socket.once('data', () => done(undefined));
  });
}

export async function httpsRequest(o: HttpsRequestOptions): Promise<HttpsResult> {
  return hasNativeUndici() ? viaUndici(o) : viaNodeHttps(o);
}

function headerRecord(h: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v!]));
}

function parseJson(body: string, headers: Record<string, string>): { json?: unknown } {
  if (!/json/.test(headers['content-type'] ?? '')) return {};
  try {
    return { json: JSON.parse(body) };
  } catch {
    return {};
  }
}

async function viaUndici(o: HttpsRequestOptions): Promise<HttpsResult> {
  const started = performance.now();
  const seen: Observed = {};
  // undici loads with the first request made through it, not with every command that could make one.
  const { Agent, request: undiciRequest } = await import('undici');
  const agent = new Agent({ connect: observingConnector(o, () => seen) as never, pipelining: 0 });
  const url = new URL(o.url);
  const timings = () => ({
    ...(seen.connectAt ? { connectMs: seen.connectAt - started } : {}),
    ...(seen.secureAt && seen.connectAt ? { tlsMs: seen.secureAt - seen.connectAt } : {}),
  });
  try {
    const res = await undiciRequest(url, { method: (o.method ?? 'GET') as 'GET', headers: o.headers ?? {}, ...(o.body !== undefined ? { body: o.body } : {}), dispatcher: agent, ...(o.signal ? { signal: o.signal } : {}) });
    const firstByteMs = performance.now() - started;
    const body = await res.body.text();
    const headers = headerRecord(res.headers);
    return {
      status: res.statusCode,
      headers,
      body,
      ...parseJson(body, headers),
      timings: { ...timings(), firstByteMs, totalMs: performance.now() - started },
      ...(seen.details ? { tls: seen.details } : {}),
      ...answered(res.statusCode),
    };
  } catch (e) {
    let error = tlsFailure(seen.error ?? e);
    if (seen.secureAt && /UND_ERR_SOCKET|ECONNRESET|EPIPE/.test(error.code)) {
      error = (await diagnoseClose(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 443), o)) ?? error;
    }
    return { headers: {}, body: '', timings: { ...timings(), totalMs: performance.now() - started }, ...(seen.details ? { tls: seen.details } : {}), error, ...nodeErrorPhase(error.code, error.message, Boolean(seen.secureAt)) };
  } finally {
    await agent.close().catch(() => {});
  }
}

function viaNodeHttps(o: HttpsRequestOptions): Promise<HttpsResult> {
  const started = performance.now();
  const url = new URL(o.url);
  return new Promise((resolve) => {
    let connectAt: number | undefined;
    let secureAt: number | undefined;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const req = https.request(
      { ...tlsConnectOptions(host, Number(url.port || 443), o), path: url.pathname + url.search, method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false, ...(o.signal ? { signal: o.signal } : {}) },
      (res) => {
        const firstByteMs = performance.now() - started;
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const headers = headerRecord(res.headers);
          resolve({
            status: res.statusCode!,
            headers,
            body,
            ...parseJson(body, headers),
            timings: { ...(connectAt ? { connectMs: connectAt - started } : {}), ...(secureAt && connectAt ? { tlsMs: secureAt - connectAt } : {}), firstByteMs, totalMs: performance.now() - started },
            tls: describeTls(res.socket as TLSSocket),
            ...answered(res.statusCode!),
          });
        });
      },
    );
    req.on('socket', (s) => {
      if (o.capture) captureStaple(s as TLSSocket, o, o.capture);
      s.once('connect', () => (connectAt = performance.now()));
      s.once('secureConnect', () => {
        secureAt = performance.now();
        if (o.capture) o.capture.chain = peerChainDer(s as TLSSocket);
      });
    });
    req.on('error', (e) => {
      const error = tlsFailure(e);
      resolve({ headers: {}, body: '', timings: { totalMs: performance.now() - started }, error, ...nodeErrorPhase(error.code, error.message, secureAt !== undefined) });
    });
    req.end(o.body);
  });
}
