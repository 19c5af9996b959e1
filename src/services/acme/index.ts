// `acme`: a Pebble-compatible ACME CA in process. Real ACME clients (certbot, lego, dehydrated,
// acme-client) and our `acme` step talk to it; `kind: pebble` runs the real Pebble instead, with
// the same properties, so a scenario switches between them by changing one word.
//
//   services:
//     ca: { kind: acme, validity: 90d }                        # every name resolves to 127.0.0.1
//     eab: { kind: acme, config: fixtures/003/pebble-config-eab.json }
//     chaos: { kind: acme, env: { PEBBLE_WFE_NONCEREJECT: "30" }, seed: 7 }
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { s, duration, type Infer } from '../../scenario/schema.ts';
import { parseDuration, MAX_SPAN_MS } from '../../scenario/duration.ts';
import { defineService } from '../types.ts';
import { validationPorts } from './validation-ports.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { defaultAcmeOptions, parsePebbleConfig, pebbleEnvironment, type AcmeServerOptions } from './config.ts';
import { isLoopback } from '../../runtime/network.ts';
import { LETS_ENCRYPT_RATE_LIMITS } from './rate-limit-table.ts';

export type AcmeSpec = Infer<typeof acmeSchema>;

/** Properties shared with the `pebble` service kind: steps written for one work with the other. */
export const ACME_SERVICE_PROPERTIES = ['url', 'directoryUrl', 'host', 'port', 'managementUrl', 'httpPort', 'tlsPort', 'caFile', 'rootFile', 'dir'] as const;

const seconds = (v: string | number | undefined, what: string): number | undefined => {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined) throw new Error(`${what}: '${v}' is not a duration`);
  return Math.round(ms / 1000);
};

const rateLimit = (what: string) =>
  s.object({ count: s.integer({ minimum: 1, description: 'requests the bucket holds' }), per: duration('the period it refills over, one request every per / count', MAX_SPAN_MS) }, { required: ['count', 'per'], description: what });

const acmeSchema = s.object({
  config: s.string({ inputFile: true, description: "Pebble's JSON config file ({\"pebble\": {...}}), relative to the scenario file" }),
  env: s.map(s.anyOf([s.string(), s.number()]), 'PEBBLE_* variables, read as Pebble reads them (PEBBLE_VA_NOSLEEP, PEBBLE_WFE_NONCEREJECT, PEBBLE_CHAIN_LENGTH, ...)'),
  port: s.integer({ minimum: 0, maximum: 65535, description: 'ACME API port (default: a free one; Pebble uses 14000)' }),
  managementPort: s.integer({ minimum: 0, maximum: 65535, description: 'management interface port (default: a free one; Pebble uses 15000)' }),
  httpPort: s.integer({ minimum: 0, maximum: 65535, description: 'port the validator fetches http-01 tokens from, as {{name.httpPort}} (default: one certharness holds for the acme and certmanager steps, answering 404 between them; pin one for a client that binds it itself, such as certbot --standalone)' }),
  tlsPort: s.integer({ minimum: 0, maximum: 65535, description: 'port the validator connects to for tls-alpn-01, as {{name.tlsPort}} (default: one certharness holds for the acme step; pin one for a client that binds it itself)' }),
  validity: duration('leaf validity (Pebble: certificateValidityPeriod; default 5 years, Let\'s Encrypt: 90d)', MAX_SPAN_MS),
  externalAccountBindingRequired: s.boolean('newAccount must carry an external account binding'),
  eabKeys: s.map(s.string(), 'EAB key id -> base64url HMAC key (Pebble: externalAccountMACKeys)'),
  chainLength: s.integer({ minimum: 1, maximum: 5, description: 'intermediates between leaf and root (PEBBLE_CHAIN_LENGTH, default 1)' }),
  alternateRoots: s.integer({ minimum: 0, maximum: 5, description: 'extra roots offered as alternate chains (PEBBLE_ALTERNATE_ROOTS)' }),
  keyAlgorithm: s.enum(['rsa', 'ecdsa'], "CA keys: RSA-2048 (Pebble's default) or ECDSA P-256"),
  nonceReject: s.integer({ minimum: 0, maximum: 100, description: 'percent of good nonces refused with badNonce (PEBBLE_WFE_NONCEREJECT; default 0)' }),
  authzReuse: s.integer({ minimum: 0, maximum: 100, description: 'percent chance a valid authorization is reused (PEBBLE_AUTHZREUSE; default 0)' }),
  vaSleep: s.integer({ minimum: 0, maximum: 60, description: 'the validator sleeps 0..N-1 seconds first (PEBBLE_VA_SLEEPTIME; default 0)' }),
  alwaysValid: s.boolean('mark every challenge valid without checking (PEBBLE_VA_ALWAYS_VALID)'),
  crl: s.boolean("serve a CRL over plain HTTP and put its URL in every certificate's CRL distribution points, as Let's Encrypt does since 2025 (default true; {{name.crlUrl}})"),
  clientAuth: s.boolean('put the TLS client authentication EKU in certificates, as public CAs did until 2026 (default false: server authentication only)'),
  seed: s.integer({ minimum: 0, description: 'seed for nonce rejection, authorization reuse and sleeps, to replay a run' }),
  resolver: s.string({ description: "'loopback' (every name is 127.0.0.1, the default) or host:port of a DNS server on loopback (dns-01 needs one)", check: (v) => (v === 'loopback' || isLoopback(v.replace(/:\d+$/, '')) ? undefined : 'must be a DNS server on loopback: the validator dials nothing else') }),
  hosts: s.map(s.string({ check: (v) => (isLoopback(v) ? undefined : 'is not a loopback address: the validator dials nothing else') }), 'name -> loopback address for the validator, before the resolver'),
  blocklist: s.array(s.string(), { description: 'names (and their subdomains) refused with rejectedIdentifier (Pebble: domainBlocklist)' }),
  retryAfter: s.integer({ minimum: 0, description: 'seconds in Retry-After on pending authorizations and processing orders (default 0)' }),
  rateLimits: s.anyOf(
    [
      s.enum(['letsencrypt'], "Let's Encrypt's numbers: 300 new orders per account per 3 hours, 50 certificates per registered domain per week, 5 per exact set of names per week, 5 failed validations per name per account per hour"),
      s.object({
        newOrdersPerAccount: rateLimit('new orders an account may create'),
        certificatesPerDomain: rateLimit('certificates for one registered domain (the Public Suffix List; an IPv4 address, an IPv6 /64), from any account'),
        duplicateCertificates: rateLimit('certificates for one exact set of names, from any account'),
        failedValidations: rateLimit('failed validations of one name by one account'),
      }),
    ],
    "rate limits, answered with rateLimited (429) and Retry-After, on the CA's clock (default none, as Pebble). An ARI renewal, whose replaces names a certificate inside its suggested window, is exempt from all, as at Let's Encrypt",
  ),
  profiles: s.anyOf(
    [
      s.enum(['letsencrypt'], "Let's Encrypt's classic (the default: 90 days, 64 from 2027-02-10, 45 from 2028-02-16; 100 DNS names), tlsserver (45 days, 25 DNS names) and shortlived (160 hours, 25 DNS names or IP addresses), dated by the CA's clock"),
      s.map(
        s.object({
          description: s.string({ description: 'what the directory says of it' }),
          validity: duration('certificate validity (default: the service\'s validity)', MAX_SPAN_MS),
          maxNames: s.integer({ minimum: 1, description: 'most identifiers in an order (more is rejectedIdentifier)' }),
          identifiers: s.array(s.enum(['dns', 'ip']), { description: 'identifier types it issues for (default both); others are rejectedIdentifier' }),
        }),
      ),
    ],
    'certificate profiles offered in the directory (Pebble: profiles): a name of your own to its settings, or letsencrypt. An order naming another is invalidProfile',
  ),
});

export const acmeService = defineService({
  kind: 'acme',
  summary: "a Pebble-compatible ACME CA (RFC 8555) in process: Pebble's paths, config file, PEBBLE_* variables and management interface",
  schema: acmeSchema,
  properties: [...ACME_SERVICE_PROPERTIES, 'crlUrl'],
  async start(spec, ctx) {
    const dir = join(ctx.workDir, 'services', ctx.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const options: AcmeServerOptions = { ...defaultAcmeOptions(), listenAddress: `${ctx.host}:${spec.port ?? 0}`, managementListenAddress: `${ctx.host}:${spec.managementPort ?? 0}` };
    if (spec.config) {
      const file = resolve(ctx.scenarioDir, spec.config);
      const fromFile = parsePebbleConfig(await readFile(file, 'utf8'), file);
      // The file's listen addresses are Pebble's (0.0.0.0:14000): a scenario binds loopback on free ports unless it pins them.
      delete fromFile.listenAddress;
      delete fromFile.managementListenAddress;
      if (fromFile.certificate) fromFile.certificate = resolve(ctx.scenarioDir, fromFile.certificate);
      if (fromFile.privateKey) fromFile.privateKey = resolve(ctx.scenarioDir, fromFile.privateKey);
      Object.assign(options, fromFile);
    }
    if (spec.env) Object.assign(options, pebbleEnvironment(Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, String(v)]))));
    const set = <K extends keyof AcmeServerOptions>(k: K, v: AcmeServerOptions[K] | undefined) => {
      if (v !== undefined) options[k] = v;
    };
    set('certificateValidityPeriod', seconds(spec.validity, 'validity'));
    set('externalAccountBindingRequired', spec.externalAccountBindingRequired);
    if (spec.eabKeys) options.externalAccountMACKeys = { ...options.externalAccountMACKeys, ...spec.eabKeys };
    set('chainLength', spec.chainLength);
    set('alternateRoots', spec.alternateRoots);
    set('keyAlgorithm', spec.keyAlgorithm);
    set('nonceRejectPercent', spec.nonceReject);
    set('authzReusePercent', spec.authzReuse);
    set('vaSleepSeconds', spec.vaSleep);
    set('vaAlwaysValid', spec.alwaysValid);
    options.crlListenAddress = spec.crl === false ? '' : `${ctx.host}:0`;
    set('clientAuthEku', spec.clientAuth);
    set('seed', spec.seed);
    set('resolver', spec.resolver);
    if (spec.hosts) options.hosts = spec.hosts;
    if (spec.blocklist) options.domainBlocklist = spec.blocklist;
    if (spec.retryAfter !== undefined) options.retryAfter = { authz: spec.retryAfter, order: spec.retryAfter };
    if (spec.rateLimits === 'letsencrypt') options.rateLimits = LETS_ENCRYPT_RATE_LIMITS;
    else if (spec.rateLimits) options.rateLimits = Object.fromEntries(Object.entries(spec.rateLimits).map(([name, l]) => [name, { count: l.count, periodSeconds: Math.max(1, seconds(l.per, `rateLimits.${name}.per`)!) }]));
    if (spec.profiles === 'letsencrypt') options.profilePreset = 'letsencrypt';
    else if (spec.profiles) {
      options.profiles = Object.fromEntries(
        Object.entries(spec.profiles).map(([name, p]) => [
          name,
          {
            description: p.description ?? name,
            ...(p.validity !== undefined ? { validityPeriod: seconds(p.validity, `profiles.${name}.validity`)! } : {}),
            ...(p.maxNames !== undefined ? { maxNames: p.maxNames } : {}),
            ...(p.identifiers ? { identifierTypes: p.identifiers } : {}),
          },
        ]),
      );
    }
    // A Pebble config file's ports stay as it pins them unless the scenario says otherwise.
    const ports = await validationPorts(ctx.host, {
      httpPort: spec.httpPort ?? (spec.config ? options.httpPort : undefined),
      tlsPort: spec.tlsPort ?? (spec.config ? options.tlsPort : undefined),
    });
    options.httpPort = ports.httpPort;
    options.tlsPort = ports.tlsPort;
    let server;
    try {
      // The server (its CA, JWS verification, the Public Suffix List) loads only for a scenario that starts one.
      const { startAcmeServer } = await import('./server.ts');
      server = await startAcmeServer(options, ctx.log);
    } catch (e) {
      await ports.close();
      throw e;
    }
    const caFile = join(dir, 'listener-ca.pem');
    const rootFile = join(dir, 'root-0.pem');
    await writeFileAtomic(caFile, server.tlsCaPem);
    await writeFileAtomic(rootFile, server.rootPem);
    return {
      props: {
        url: server.directoryUrl,
        directoryUrl: server.directoryUrl,
        host: ctx.host,
        port: server.port,
        managementUrl: server.managementUrl ?? '',
        httpPort: options.httpPort,
        tlsPort: options.tlsPort,
        caFile,
        rootFile,
        dir,
        seed: server.seed,
        crlUrl: server.crlUrl ?? '',
      },
      stop: async () => {
        await server.stop();
        await ports.close();
      },
    };
  },
});
