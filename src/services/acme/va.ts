// The validation authority: really connects, as Pebble's va/ does. http-01 fetches the token
// over HTTP (RFC 8555 §8.3), tls-alpn-01 checks the acmeIdentifier certificate (RFC 8737 §3),
// dns-01 reads the TXT record (RFC 8555 §8.4). Names resolve through `resolver`: 'loopback'
// maps every name to 127.0.0.1, like `pebble-challtestsrv -defaultIPv4 127.0.0.1`.
import http from 'node:http';
import tls from 'node:tls';
import { isIP } from 'node:net';
import { isLoopback, NotLoopbackError } from '../../runtime/network.ts';
import { Resolver } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { x509 } from '../../pki/crypto.ts';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { keyAuthorizationDigest } from '../../clients/acme/jws.ts';
import { reverseName } from '../../clients/acme/responders.ts';
import { ACME_IDENTIFIER_OID, ACME_TLS_ALPN_PROTOCOL, HTTP01_PATH_PREFIX, type ChallengeType, type Identifier } from '../../clients/acme/wire.ts';
import { AcmeProblem } from './problems.ts';
import type { Chance } from './chance.ts';

export interface ValidationRequest {
  type: ChallengeType;
  identifier: Identifier;
  token: string;
  keyAuthorization: string;
}

export interface ValidatorOptions {
  httpPort: number;
  tlsPort: number;
  resolver: string;
  hosts: Record<string, string>;
  alwaysValid: boolean;
  sleepSeconds: number;
  chance: Chance;
  /** Per connection attempt, ms. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

const problem = (type: ConstructorParameters<typeof AcmeProblem>[0], detail: string, identifier: Identifier) => new AcmeProblem(type, 400, detail, { extra: { identifier } });

export class Validator {
  private readonly o: ValidatorOptions;
  private readonly dns: Resolver | undefined;

  constructor(o: ValidatorOptions) {
    this.o = o;
    if (o.resolver !== 'loopback') {
      const host = /^(?:\[([^\]]+)\]|([^:]+))(?::\d+)?$/.exec(o.resolver);
      if (!host || !isLoopback(host[1] ?? host[2]!)) throw new NotLoopbackError(`resolver ${o.resolver}: the validator asks a DNS server on loopback only`);
      this.dns = new Resolver({ timeout: 2000, tries: 2 });
      this.dns.setServers([o.resolver]);
    }
  }

  /** How long a validation may sleep first: the Retry-After a client should honour. */
  get maxSleepSeconds(): number {
    return this.o.sleepSeconds;
  }

  /** Resolves to undefined when valid, or to the problem that made it invalid. */
  async validate(r: ValidationRequest): Promise<AcmeProblem | undefined> {
    if (this.o.sleepSeconds > 0) await sleep(this.o.chance.below(this.o.sleepSeconds) * 1000);
    if (this.o.alwaysValid) return undefined;
    try {
      switch (r.type) {
        case 'http-01':
          return await this.http01(r);
        case 'tls-alpn-01':
          return await this.tlsAlpn01(r);
        case 'dns-01':
          return await this.dns01(r);
      }
    } catch (e) {
      if (e instanceof AcmeProblem) return e;
      return problem('serverInternal', `validation failed unexpectedly: ${(e as Error).message}`, r.identifier);
    }
  }

  /** Where to dial for an identifier: loopback only, whatever an order, hosts: or DNS says. */
  private async addresses(identifier: Identifier): Promise<string[]> {
    const found = await this.resolve(identifier);
    const wide = found.filter((a) => !isLoopback(a));
    if (wide.length) throw problem('connection', `the validator dials loopback only: ${identifier.value} is ${wide.join(', ')}`, identifier);
    return found;
  }

  private async resolve(identifier: Identifier): Promise<string[]> {
    if (identifier.type === 'ip') return [identifier.value];
    const name = identifier.value.replace(/^\*\./, '');
    const pinned = this.o.hosts[name];
    if (pinned) return [pinned];
    if (!this.dns) return ['127.0.0.1'];
    const found: string[] = [];
    for (const family of ['resolve4', 'resolve6'] as const) {
      try {
        found.push(...(await this.dns[family](name)));
      } catch {
        // NXDOMAIN or no record of this family: try the other
      }
    }
    if (!found.length) throw problem('dns', `DNS problem: no A or AAAA record for ${name} at ${this.o.resolver}`, identifier);
    return found;
  }

  private async http01(r: ValidationRequest): Promise<AcmeProblem | undefined> {
    const [address] = await this.addresses(r.identifier);
    const host = r.identifier.value;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${this.o.httpPort}${HTTP01_PATH_PREFIX}${r.token}`;
    const res = await new Promise<{ status: number; body: string } | { error: NodeJS.ErrnoException }>((resolve) => {
      const req = http.get(
        { host: address, port: this.o.httpPort, path: HTTP01_PATH_PREFIX + r.token, headers: { host: `${host.includes(':') ? `[${host}]` : host}:${this.o.httpPort}`, 'user-agent': 'certharness-acme-va', accept: '*/*' }, timeout: this.o.timeoutMs ?? 10_000, agent: false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          // RFC 8555 §8.3 bodies are tiny; stop reading a server that sends more than 64 KiB.
          res.on('data', (d: string) => (body.length < 65_536 ? (body += d) : res.destroy()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', (error) => resolve({ error }));
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => resolve({ error }));
    });
    this.o.log?.(`http-01 ${url} (${address}): ${'error' in res ? res.error.code ?? res.error.message : res.status}`);
    if ('error' in res) {
      const code = res.error.code ?? '';
      const why = code === 'ECONNREFUSED' ? 'Connection refused' : code === 'ETIMEDOUT' ? 'Timeout during connect (likely firewall problem)' : res.error.message;
      return problem('connection', `${address}: Fetching ${url}: ${why}`, r.identifier);
    }
    // Pebble's words, as 003-acme-pebble sees them from the real one.
    if (res.status !== 200) return problem('unauthorized', `Non-200 status code from HTTP: ${url} returned ${res.status}`, r.identifier);
    if (res.body.trim() !== r.keyAuthorization) {
      return problem('unauthorized', `The key authorization file from the server did not match this challenge. Expected "${r.keyAuthorization}" (got "${res.body.trim().slice(0, 100)}")`, r.identifier);
    }
    return undefined;
  }

  private async tlsAlpn01(r: ValidationRequest): Promise<AcmeProblem | undefined> {
    const [address] = await this.addresses(r.identifier);
    const servername = r.identifier.type === 'ip' ? reverseName(r.identifier.value) : r.identifier.value;
    const seen = await new Promise<{ alpn: string | false; der?: Buffer } | { error: NodeJS.ErrnoException }>((resolve) => {
      const socket = tls.connect({ host: address, port: this.o.tlsPort, servername, ALPNProtocols: [ACME_TLS_ALPN_PROTOCOL], rejectUnauthorized: false, timeout: this.o.timeoutMs ?? 10_000 });
      socket.once('secureConnect', () => {
        const peer = socket.getPeerCertificate(false);
        resolve({ alpn: socket.alpnProtocol ?? false, ...(peer?.raw ? { der: peer.raw } : {}) });
        socket.destroy();
      });
      socket.once('timeout', () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      socket.once('error', (error) => resolve({ error }));
    });
    const where = `${address}:${this.o.tlsPort}`;
    if ('error' in seen) {
      const code = seen.error.code ?? '';
      if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'ECONNRESET') return problem('connection', `${where}: Connection ${code === 'ECONNREFUSED' ? 'refused' : code === 'ETIMEDOUT' ? 'timed out' : 'reset'}`, r.identifier);
      return problem('tls', `${where}: TLS handshake failed: ${seen.error.message}`, r.identifier);
    }
    if (seen.alpn !== ACME_TLS_ALPN_PROTOCOL) return problem('unauthorized', `Cannot negotiate ALPN protocol "${ACME_TLS_ALPN_PROTOCOL}" for tls-alpn-01 challenge at ${where}`, r.identifier);
    if (!seen.der) return problem('unauthorized', `No certificate presented for tls-alpn-01 challenge at ${where}`, r.identifier);
    const cert = new x509.X509Certificate(new Uint8Array(seen.der));
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    const names = (san?.names.items ?? []).map((n) => `${n.type}:${n.value}`);
    const wanted = `${r.identifier.type === 'ip' ? 'ip' : 'dns'}:${r.identifier.value}`;
    if (names.length !== 1 || names[0]!.toLowerCase() !== wanted.toLowerCase()) return problem('unauthorized', `Incorrect validation certificate for tls-alpn-01 challenge: it names ${names.join(', ') || 'nothing'}, expected exactly ${wanted}`, r.identifier);
    const ext = cert.extensions.find((e) => e.type === ACME_IDENTIFIER_OID);
    if (!ext) return problem('unauthorized', 'Incorrect validation certificate for tls-alpn-01 challenge: missing acmeIdentifier extension', r.identifier);
    if (!ext.critical) return problem('unauthorized', 'Incorrect validation certificate for tls-alpn-01 challenge: acmeIdentifier extension is not critical', r.identifier);
    let digest: Buffer;
    try {
      digest = Buffer.from(AsnConvert.parse(ext.value, OctetString).buffer);
    } catch {
      return problem('unauthorized', 'Incorrect validation certificate for tls-alpn-01 challenge: acmeIdentifier is not an OCTET STRING', r.identifier);
    }
    if (!digest.equals(keyAuthorizationDigest(r.keyAuthorization))) return problem('unauthorized', 'Incorrect validation certificate for tls-alpn-01 challenge: acmeIdentifier does not match the key authorization', r.identifier);
    return undefined;
  }

  private async dns01(r: ValidationRequest): Promise<AcmeProblem | undefined> {
    const name = `_acme-challenge.${r.identifier.value.replace(/^\*\./, '')}`;
    if (!this.dns) return problem('dns', `DNS problem: no DNS server to look up TXT ${name}: set the resolver to host:port (e.g. pebble-challtestsrv's -dns01 address)`, r.identifier);
    let records: string[][];
    try {
      records = await this.dns.resolveTxt(name);
    } catch (e) {
      return problem('dns', `DNS problem: ${(e as NodeJS.ErrnoException).code ?? 'lookup failed'} looking up TXT for ${name}`, r.identifier);
    }
    const expected = keyAuthorizationDigest(r.keyAuthorization).toString('base64url');
    const values = records.map((chunks) => chunks.join(''));
    if (values.includes(expected)) return undefined;
    return problem('unauthorized', `Incorrect TXT record "${values[0] ?? ''}" found at ${name}${values.length > 1 ? ` (and ${values.length - 1} more)` : ''}`, r.identifier);
  }
}

/** Identifiers a CA will consider: RFC 8555 §7.1.3 dns names (wildcards for dns-01 only) and RFC 8738 IPs. */
export function identifierProblem(id: Identifier): string | undefined {
  if (id.type === 'ip') return isIP(id.value) ? undefined : `'${id.value}' is not an IP address`;
  const name = id.value;
  if (isIP(name)) return `'${name}' is an IP address: use an identifier of type "ip"`;
  if (name.length > 253) return `'${name.slice(0, 20)}...' is longer than 253 characters`;
  const labels = name.replace(/^\*\./, '').split('.');
  if (labels.length < 2 && name !== 'localhost') return `'${name}' has fewer than two labels`;
  for (const l of labels) if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(l)) return `'${name}' has an invalid label '${l}'`;
  if (name.slice(2).includes('*')) return `'${name}': a wildcard may only be the whole leftmost label`;
  return undefined;
}
