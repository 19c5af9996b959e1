// TLS in front of the gRPC server's plaintext port, negotiating no ALPN: what a TCP (L4) load
// balancer that terminates TLS does. gRPC needs h2 chosen by ALPN; grpc-go 1.67 and later and
// gRPC's C core refuse such a server ("missing selected ALPN property"), grpc-js does not.
import net from 'node:net';
import tls from 'node:tls';
import { serveOn, type Serving } from '../../net/reserved-port.ts';

export async function terminateWithoutAlpn(material: { cert: string; key: string }, inner: { host: string; port: number }, at: { host: string; port: number | undefined }, log: (line: string) => void): Promise<Serving> {
  const open = new Set<net.Socket>();
  // No ALPNProtocols: the server answers a client's ALPN offer with none.
  const server = tls.createServer({ cert: material.cert, key: material.key }, (client) => {
    const upstream = net.connect(inner.port, inner.host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
    }
    upstream.on('error', (e) => (log(`no-ALPN terminator: ${e.message}`), client.destroy()));
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.on('tlsClientError', (e) => log(`no-ALPN terminator: TLS handshake failed: ${e.message}`));
  const listening = await serveOn(server, { ...at, reserved: undefined });
  return {
    port: listening.port,
    async close() {
      for (const s of open) s.destroy();
      await listening.close();
    },
  };
}
