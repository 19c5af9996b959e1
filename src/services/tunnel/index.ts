// `tunnel`: an HTTP CONNECT proxy (RFC 9110 §9.3.6) that is the resolver for clients with no
// --resolve of their own (wget, for one). It takes a name under `domains` to the loopback
// address it serves on, and a loopback address to itself; every other target is refused with
// 403 and why, so it never dials beyond loopback. TLS stays end to end: the client sends SNI
// and checks the name it asked for.
//
//   services:
//     catalogue: { kind: catalogue }
//     resolver: { kind: tunnel, domains: [catalogue.test] }
//   steps:
//     - exec: [wget, -e, use_proxy=on, -e, "https_proxy={{resolver.url}}", "{{catalogue.good.url}}"]
import http, { type IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { s } from '../../scenario/schema.ts';
import { canonicalHost, isLoopback } from '../../runtime/network.ts';
import { serveOn } from '../../net/reserved-port.ts';
import { defineService } from '../types.ts';

const DOMAIN = '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';

const tunnelSchema = s.object(
  {
    domains: s.array(s.string({ pattern: DOMAIN, examples: ['catalogue.test'] }), { minItems: 1, description: 'the names it resolves: each of these and every name under it goes to the loopback address it serves on' }),
    port: s.integer({ minimum: 0, maximum: 65535, description: 'pin a port (default 0: the system chooses)' }),
  },
  { required: ['domains'] },
);

/** Where a CONNECT target goes: the loopback address to dial, or why it is refused. */
export function tunnelTarget(authority: string, domains: readonly string[], home: string): { host: string; port: number } | { refused: string } {
  const m = /^(\[[^\]]*\]|[^:/?#@\[\]]+):(\d{1,5})$/.exec(authority);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) return { refused: `CONNECT needs host:port, not ${JSON.stringify(authority.slice(0, 80))}` };
  const host = canonicalHost(m[1]!);
  if (net.isIP(host)) return isLoopback(host) ? { host, port } : { refused: `${host} is not a loopback address: the tunnel dials loopback only` };
  if (domains.some((d) => host === d || host.endsWith(`.${d}`))) return { host: home, port };
  return { refused: `${host} is not under ${domains.join(', ')}: the tunnel resolves only those` };
}

/** The status line of an answer to CONNECT: after it the connection is the tunnel's, or closed. */
function answer(socket: Duplex, status: number, text = ''): void {
  socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${text ? `content-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\n` : ''}\r\n${text}`);
}

/** Dials the target and, once connected, joins the two connections; a failure to connect is a 502 for this request. */
function relay(what: string, client: Duplex, head: Buffer, target: { host: string; port: number }, open: Set<Duplex>, log: (line: string) => void): void {
  const upstream = net.connect(target.port, target.host);
  let connected = false;
  open.add(upstream);
  upstream.on('close', () => (open.delete(upstream), client.destroy()));
  client.on('close', () => upstream.destroy());
  upstream.on('error', (e) => {
    log(`CONNECT ${what} -> ${target.host}:${target.port}: ${e.message}`);
    if (!connected) answer(client, 502, `${target.host}:${target.port}: ${e.message}\n`);
    client.end();
  });
  upstream.on('connect', () => {
    connected = true;
    log(`CONNECT ${what} -> ${target.host}:${target.port}`);
    answer(client, 200);
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
}

export const tunnelService = defineService({
  kind: 'tunnel',
  summary: 'an HTTP CONNECT proxy that resolves the names under `domains` to loopback: the --resolve of clients that have none (wget -e https_proxy={{name.url}})',
  schema: tunnelSchema,
  properties: ['url', 'host', 'port'],
  async start(spec, ctx) {
    const domains = spec.domains.map((d) => d.toLowerCase());
    // Every connection, client and upstream, so stop can end the tunnels still open.
    const open = new Set<Duplex>();
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(405, { allow: 'CONNECT', 'content-type': 'text/plain' });
      res.end('this is a CONNECT tunnel: use it as a proxy (https_proxy)\n');
    });
    server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
      open.add(client);
      client.on('close', () => open.delete(client));
      client.on('error', () => client.destroy());
      const target = tunnelTarget(req.url ?? '', domains, ctx.host);
      if ('refused' in target) {
        ctx.log(`CONNECT ${req.url}: refused: ${target.refused}`);
        answer(client, 403, `${target.refused}\n`);
        return void client.end();
      }
      relay(req.url ?? '', client, head, target, open, ctx.log);
    });
    const listening = await serveOn(server, { host: ctx.host, port: spec.port, reserved: undefined });
    return {
      props: { url: `http://${ctx.host}:${listening.port}`, host: ctx.host, port: listening.port },
      async stop() {
        for (const socket of open) socket.destroy();
        await listening.close();
      },
    };
  },
});
