// What answers a CA's validation: an http-01 server of our own (like `certbot --standalone`),
// files in a webroot (like `certbot --webroot`), or a tls-alpn-01 server (RFC 8737).
import http from 'node:http';
import tls from 'node:tls';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { generateKey, exportPrivateKey } from '../../pki/keys.ts';
import { issueCertificate, randomSerial } from '../../pki/certificate.ts';
import { x509 } from '../../pki/crypto.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { keyAuthorizationDigest } from './jws.ts';
import { ACME_IDENTIFIER_OID, ACME_TLS_ALPN_PROTOCOL, HTTP01_PATH_PREFIX, type ChallengeType, type Identifier } from './wire.ts';
import { ReservedPort, serveOn } from '../../net/reserved-port.ts';

export interface ChallengeResponder {
  readonly type: ChallengeType;
  present(identifier: Identifier, token: string, keyAuthorization: string): Promise<void>;
  cleanup(identifier: Identifier, token: string): Promise<void>;
  close(): Promise<void>;
  /** What it served, for the step's result: how many validation requests reached it. */
  readonly hits: number;
}

/** What a validation port says while no responder is attached: a web server that knows no token. */
export function http01Idle(): http.Server {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('certharness: no ACME challenge is being answered on this port');
  });
  server.keepAliveTimeout = 1000;
  return server;
}

/** http-01 on our own port: answers /.well-known/acme-challenge/<token> with the key authorization. */
export async function http01Standalone(host: string, port: number): Promise<ChallengeResponder & { port: number }> {
  const tokens = new Map<string, string>();
  let hits = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '').split('?')[0]!;
    const token = path.startsWith(HTTP01_PATH_PREFIX) ? path.slice(HTTP01_PATH_PREFIX.length) : undefined;
    const answer = token ? tokens.get(token) : undefined;
    if (answer) hits++;
    res.writeHead(answer ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(answer ?? 'not found');
  });
  server.keepAliveTimeout = 1000;
  const serving = await serveOn(server, { host, port, reserved: ReservedPort.at(host, port) });
  return {
    type: 'http-01',
    port: serving.port,
    get hits() {
      return hits;
    },
    async present(_identifier, token, keyAuthorization) {
      tokens.set(token, keyAuthorization);
    },
    async cleanup(_identifier, token) {
      tokens.delete(token);
    },
    close: serving.close,
  };
}

/** http-01 through someone else's web server: writes <webroot>/.well-known/acme-challenge/<token>. */
export function http01Webroot(webroot: string): ChallengeResponder {
  const dir = join(webroot, HTTP01_PATH_PREFIX);
  return {
    type: 'http-01',
    hits: 0,
    async present(_identifier, token, keyAuthorization) {
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(join(dir, token), keyAuthorization, 0o644);
    },
    async cleanup(_identifier, token) {
      await rm(join(dir, token), { force: true });
    },
    async close() {},
  };
}

/** RFC 8737 §3: a self-signed certificate for the name with the critical acmeIdentifier extension. */
export async function tlsAlpnCertificate(identifier: Identifier, keyAuthorization: string): Promise<{ cert: string; key: string }> {
  const key = await generateKey('ec-p256');
  const digest = AsnConvert.serialize(new OctetString(keyAuthorizationDigest(keyAuthorization)));
  const now = Date.now();
  const cert = await issueCertificate({
    subject: [['CN', 'ACME challenge']],
    key,
    serialHex: randomSerial(),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 7 * 86_400_000),
    hash: 'sha256',
    san: [`${identifier.type === 'ip' ? 'ip' : 'dns'}:${identifier.value}`],
    subjectKeyIdentifier: false,
    authorityKeyIdentifier: false,
    extraExtensions: [new x509.Extension(ACME_IDENTIFIER_OID, true, digest)],
  });
  return { cert: cert.toString('pem'), key: exportPrivateKey(key) };
}

/** RFC 8738 §6: the SNI a validator sends for an IP identifier is its reverse-DNS name. */
export function reverseName(ip: string): string {
  if (ip.includes(':')) {
    const full = ip.split('::').map((half) => half.split(':').filter(Boolean));
    const missing = 8 - full.flat().length;
    const groups = full.length === 2 ? [...full[0]!, ...Array(missing).fill('0'), ...full[1]!] : full[0]!;
    return `${groups.map((g) => g.padStart(4, '0')).join('').split('').reverse().join('.')}.ip6.arpa`;
  }
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

/** tls-alpn-01 on our own port: offers acme-tls/1 and, per SNI name, the challenge certificate. */
export async function tlsAlpn01Standalone(host: string, port: number): Promise<ChallengeResponder & { port: number }> {
  const contexts = new Map<string, tls.SecureContext>();
  let hits = 0;
  const fallback = await tlsAlpnCertificate({ type: 'dns', value: 'invalid' }, 'none');
  const server = tls.createServer({
    ALPNProtocols: [ACME_TLS_ALPN_PROTOCOL],
    cert: fallback.cert,
    key: fallback.key,
    SNICallback: (name, cb) => {
      const ctx = contexts.get(name.toLowerCase());
      if (ctx) hits++;
      cb(null, ctx ?? tls.createSecureContext(fallback));
    },
  });
  // The validator closes as soon as it has seen the certificate; nothing is served.
  server.on('secureConnection', (socket) => socket.end());
  server.on('tlsClientError', () => {});
  const serving = await serveOn(server, { host, port, reserved: ReservedPort.at(host, port) });
  const sni = (identifier: Identifier) => (identifier.type === 'ip' ? reverseName(identifier.value) : identifier.value).toLowerCase();
  return {
    type: 'tls-alpn-01',
    port: serving.port,
    get hits() {
      return hits;
    },
    async present(identifier, _token, keyAuthorization) {
      contexts.set(sni(identifier), tls.createSecureContext(await tlsAlpnCertificate(identifier, keyAuthorization)));
    },
    async cleanup(identifier) {
      contexts.delete(sni(identifier));
    },
    close: serving.close,
  };
}
