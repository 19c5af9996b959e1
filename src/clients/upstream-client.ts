// Forwards HTTP requests to one HTTPS origin over a keep-alive pool, for the proxy service:
// undici under Node and Deno, node:https under Bun (whose undici ignores TLS connect options).
// A failed upstream connection comes back as a TLS failure, never as an exception.
import https from 'node:https';
import type { Readable } from 'node:stream';
import { lazyAgent } from './undici-agent.ts';
import { observingConnector, diagnoseClose, tlsConnectOptions, type TlsClientOptions, type Observed } from './https.ts';
import { tlsFailure, type TlsFailure } from './tls-details.ts';
import { hasNativeUndici } from '../runtime/index.ts';

export interface ForwardRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Readable;
}

export type ForwardResult = { status: number; headers: Record<string, string | string[]>; body: Readable; tlsVersion?: string } | { error: TlsFailure; tlsVersion?: string };

export interface UpstreamClient {
  forward(req: ForwardRequest): Promise<ForwardResult>;
  close(): Promise<void>;
}

export function createUpstreamClient(origin: URL, tlsOptions: TlsClientOptions): UpstreamClient {
  const host = origin.hostname.replace(/^\[|\]$/g, '');
  const port = Number(origin.port || 443);
  return hasNativeUndici() ? undiciClient(origin, host, port, tlsOptions) : nodeHttpsClient(host, port, tlsOptions);
}

function undiciClient(origin: URL, host: string, port: number, o: TlsClientOptions): UpstreamClient {
  // The last connection's observations: a handshake failure belongs to the request that opened it.
  let seen: Observed = {};
  const undici = lazyAgent({ connect: observingConnector(o, () => (seen = {})) as never, keepAliveTimeout: 4000 });
  return {
    async forward(req) {
      try {
        const { agent, request: undiciRequest } = await undici.get();
        // origin and path apart: a path is never resolved as a URL, so `//host/` cannot redirect the request.
        const res = await undiciRequest({ origin: origin.origin, path: req.path } as never, { method: req.method as 'GET', headers: req.headers, ...(req.body ? { body: req.body } : {}), dispatcher: agent });
        return { status: res.statusCode, headers: res.headers as Record<string, string | string[]>, body: res.body as unknown as Readable, ...(seen.details?.protocol ? { tlsVersion: seen.details.protocol } : {}) };
      } catch (e) {
        let error = tlsFailure(seen.error ?? (e as { cause?: unknown }).cause ?? e);
        if (seen.secureAt && /UND_ERR_SOCKET|ECONNRESET|EPIPE/.test(error.code)) error = (await diagnoseClose(host, port, o)) ?? error;
        return { error, ...(seen.details?.protocol ? { tlsVersion: seen.details.protocol } : {}) };
      }
    },
    close: () => undici.close(),
  };
}

function nodeHttpsClient(host: string, port: number, o: TlsClientOptions): UpstreamClient {
  const agent = new https.Agent({ keepAlive: true, ...tlsConnectOptions(host, port, o) });
  return {
    forward(req) {
      return new Promise((resolve) => {
        let tlsVersion: string | undefined;
        const r = https.request({ ...tlsConnectOptions(host, port, o), agent, method: req.method, path: req.path, headers: req.headers }, (res) =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers as Record<string, string | string[]>, body: res }),
        );
        r.on('socket', (sock) => sock.once('secureConnect', () => (tlsVersion = (sock as import('node:tls').TLSSocket).getProtocol?.() ?? undefined)));
        r.on('error', async (e) => {
          let error = tlsFailure(e);
          if (/ECONNRESET|EPIPE|ERR_SOCKET_CLOSED|socket hang up/i.test(error.code + error.message)) error = (await diagnoseClose(host, port, o)) ?? error;
          resolve({ error, ...(tlsVersion ? { tlsVersion } : {}) });
        });
        if (req.body) req.body.pipe(r);
        else r.end();
      });
    },
    close: async () => agent.destroy(),
  };
}
