// Forwards HTTP requests to one HTTPS origin over a keep-alive pool, for the proxy service:
// undici under Node and Deno, node:https under Bun (whose undici ignores TLS connect options).
// A failed upstream connection comes back as a TLS failure, never as an exception.
import https from 'node:https';
import type { Readable, Writable } from 'node:stream';
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

/** The upstream's status line and headers: the proxy answers with them and returns where the body goes. */
export interface ForwardHead {
  status: number;
  headers: Record<string, string | string[]>;
}

/**
 * How a forward ended: relayed (or given up because the client left first), or failed before
 * the upstream answered (a TLS failure, the proxy's 502) or while its body came.
 */
export type ForwardResult = { relayed: true; clientLeft?: true; tlsVersion?: string } | { error: TlsFailure; answered: boolean; tlsVersion?: string };

export interface UpstreamClient {
  /** Sends the request; `respond` gets the upstream's head and returns the stream its body is written into. */
  forward(req: ForwardRequest, respond: (head: ForwardHead) => Writable): Promise<ForwardResult>;
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
  const version = () => (seen.details?.protocol ? { tlsVersion: seen.details.protocol } : {});
  return {
    async forward(req, respond) {
      // Set when the upstream has answered: the stream its body goes into.
      let out: Writable | undefined;
      try {
        const { agent, stream } = await undici.get();
        // undici's stream writes the body into the proxy's response: no Readable between them.
        // origin and path apart: a path is never resolved as a URL, so `//host/` cannot redirect the request.
        await stream({ origin: origin.origin, path: req.path } as never, { method: req.method as 'GET', headers: req.headers, ...(req.body ? { body: req.body } : {}), dispatcher: agent }, ({ statusCode, headers }) => {
          return (out = respond({ status: statusCode, headers: headers as Record<string, string | string[]> }));
        });
        return { relayed: true, ...version() };
      } catch (e) {
        // The stream closed without an error of undici's: the client left, and undici gave up the request.
        if (out?.destroyed && !out.errored) return { relayed: true, clientLeft: true, ...version() };
        let error = tlsFailure(seen.error ?? (e as { cause?: unknown }).cause ?? e);
        if (!out && seen.secureAt && /UND_ERR_SOCKET|ECONNRESET|EPIPE/.test(error.code)) error = (await diagnoseClose(host, port, o)) ?? error;
        return { error, answered: Boolean(out), ...version() };
      }
    },
    close: () => undici.close(),
  };
}

function nodeHttpsClient(host: string, port: number, o: TlsClientOptions): UpstreamClient {
  const agent = new https.Agent({ keepAlive: true, ...tlsConnectOptions(host, port, o) });
  return {
    forward(req, respond) {
      return new Promise((resolve) => {
        let tlsVersion: string | undefined;
        let answered = false;
        const version = () => (tlsVersion ? { tlsVersion } : {});
        const r = https.request({ ...tlsConnectOptions(host, port, o), agent, method: req.method, path: req.path, headers: req.headers }, (res) => {
          answered = true;
          const out = respond({ status: res.statusCode ?? 502, headers: res.headers as Record<string, string | string[]> });
          res.once('error', (e) => (out.destroy(e), resolve({ error: tlsFailure(e), answered, ...version() })));
          // A client that goes away frees the upstream connection: the rest of the body is dropped.
          out.once('close', () => {
            if (res.readableEnded) return resolve({ relayed: true, ...version() });
            res.destroy();
            resolve({ relayed: true, clientLeft: true, ...version() });
          });
          res.pipe(out);
        });
        r.on('socket', (sock) => sock.once('secureConnect', () => (tlsVersion = (sock as import('node:tls').TLSSocket).getProtocol?.() ?? undefined)));
        r.on('error', async (e) => {
          if (answered) return;
          let error = tlsFailure(e);
          if (/ECONNRESET|EPIPE|ERR_SOCKET_CLOSED|socket hang up/i.test(error.code + error.message)) error = (await diagnoseClose(host, port, o)) ?? error;
          resolve({ error, answered, ...version() });
        });
        if (req.body) req.body.pipe(r);
        else r.end();
      });
    },
    close: async () => agent.destroy(),
  };
}
