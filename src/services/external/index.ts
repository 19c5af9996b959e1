// `external`: a real deployment the scenario's steps talk to instead of a service certharness
// starts: nothing is started, and `{{name.url}}`, `.host`, `.port`, `.address` come from the URL.
// `certharness run --target upstream=https://api.example.net:8443` turns a declared service into
// one of these, so an operator runs the bundled scenarios against what is deployed.
//
//   services:
//     api: { kind: external, url: "https://api.example.net:8443" }
//
// At start it opens (and closes) one TCP connection, so an unreachable deployment is one setup
// error naming the address rather than a failure in every step.
import { connect } from 'node:net';
import { s, type Infer } from '../../scenario/schema.ts';
import { defineService } from '../types.ts';

export type ExternalSpec = Infer<typeof externalSchema>;

const DEFAULT_PORTS: Record<string, number> = { 'https:': 443, 'http:': 80, 'grpcs:': 443, 'grpc:': 80 };
const CONNECT_TIMEOUT_MS = 10_000;

/** What `{{name.prop}}` resolves to for a URL; throws with the reason when it is not one. */
export function externalProps(url: string): { url: string; host: string; port: number; address: string; target: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`'${url}' is not a URL (for example https://api.example.net:8443)`);
  }
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol];
  if (!port) throw new Error(`'${url}' has no port and ${u.protocol} has no default one`);
  if (!u.hostname) throw new Error(`'${url}' has no host`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const hostPort = `${u.hostname}:${port}`;
  // No trailing slash, so `{{api.url}}/hello` reads as it does for a started service.
  const base = `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '')}`;
  return { url: base, host, port, address: hostPort, target: hostPort };
}

function reachable(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`cannot connect to ${host}:${port}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer in ${timeoutMs / 1000} s`), timeoutMs);
    const onAbort = () => fail('interrupted');
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.end();
      resolve();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      fail(e.code ?? e.message);
    });
  });
}

const externalSchema = s.object(
  {
    url: s.string({ description: 'https://host:port of the deployment; {{name.url}}, .host, .port and .address come from it' }),
    replaces: s.string({ description: 'the kind of service it stands in for (informational)' }),
    connectTimeout: s.integer({ minimum: 1, description: 'milliseconds the start-up connection check waits (default 10000)' }),
  },
  { required: ['url'] },
);

export const externalService = defineService({
  kind: 'external',
  summary: 'a real deployment at a URL: nothing is started; steps talk to it (run --target NAME=URL swaps a declared service for one)',
  schema: externalSchema,
  properties: ['url', 'host', 'port', 'address', 'target'],
  async start(spec, ctx) {
    const props = externalProps(spec.url);
    await reachable(props.host, props.port, spec.connectTimeout ?? CONNECT_TIMEOUT_MS, ctx.signal);
    ctx.log(`external${spec.replaces ? ` (in place of a ${spec.replaces} service)` : ''}: ${props.url} answers`);
    return { props, stop: async () => {} };
  },
});
