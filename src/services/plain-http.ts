// What the plain-HTTP services a relying party fetches from (the crl and ocsp services, the ACME
// CA's CRL distribution point) share: one reserved port with url/host/port, and a CRL answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { x509 } from '../pki/crypto.ts';
import { crlPem } from '../pki/crl.ts';
import type { ServiceListeners } from './types.ts';

export function plainHttpAddress(ports: Record<string, number>, host: string): Record<string, string | number> {
  return { url: `http://${host}:${ports.port}`, host, port: ports.port! };
}

/** One port, reserved before the PKI so certificates can carry `{{name.url}}`. */
export function plainHttpListeners<Spec extends { port?: number | undefined }>(): ServiceListeners<Spec> {
  return { ports: (spec) => ({ port: spec.port }), address: plainHttpAddress, properties: ['url', 'host', 'port'] };
}

/** A CRL as DER (application/pkix-crl) or PEM, never cached: it changes with each revocation. */
export function sendCrl(req: IncomingMessage, res: ServerResponse, crl: x509.X509Crl, pem: boolean): void {
  const body = pem ? Buffer.from(crlPem(crl)) : Buffer.from(crl.rawData);
  res.writeHead(200, { 'content-type': pem ? 'application/x-pem-file' : 'application/pkix-crl', 'content-length': String(body.length), 'cache-control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
