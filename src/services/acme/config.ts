// The mock CA's settings, and how Pebble's config file and PEBBLE_* variables map onto them.
// Pure: the caller passes the file's text and the environment (only src/cli reads process.env).
//
//   certharness serve acme --config pebble-config.json        # Pebble's file, unchanged
//   PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 certharness serve acme
import type { KeyType } from '../../pki/key-spec.ts';
import type { Profile } from './profiles.ts';
import type { RateLimits } from './rate-limit-table.ts';

export interface AcmeServerOptions {
  /** host:port of the ACME API (HTTPS). Pebble's default: 0.0.0.0:14000; ours binds loopback. */
  listenAddress: string;
  /** host:port of the management interface, or '' for none. */
  managementListenAddress: string;
  /** PEM files for the HTTPS listeners; absent, a fresh CA and a localhost certificate are made. */
  certificate?: string;
  privateKey?: string;
  /** Ports the validator connects to for http-01 and tls-alpn-01. */
  httpPort: number;
  tlsPort: number;
  ocspResponderURL: string;
  /** host:port of the plain-HTTP CRL distribution point written into every leaf, or '' for none. */
  crlListenAddress: string;
  /** Put the TLS client authentication EKU in leaves, as public CAs did before 2026. */
  clientAuthEku: boolean;
  externalAccountBindingRequired: boolean;
  /** key id -> base64url HMAC key. */
  externalAccountMACKeys: Record<string, string>;
  domainBlocklist: string[];
  /** Leaf validity in seconds (Pebble: certificateValidityPeriod, default 5 years). */
  certificateValidityPeriod: number;
  profiles: Record<string, Profile>;
  /** Rate limits; none by default, as Pebble has none. */
  rateLimits: RateLimits;
  /** A named set of profiles instead of `profiles`: Let's Encrypt's, dated by the CA's clock. */
  profilePreset?: 'letsencrypt';
  /** CA key algorithm: Pebble's keyAlgorithm ('rsa' | 'ecdsa'). */
  keyAlgorithm: 'rsa' | 'ecdsa';
  /** PEBBLE_CHAIN_LENGTH: intermediates between leaf and root (minimum 1). */
  chainLength: number;
  /** PEBBLE_ALTERNATE_ROOTS: extra chains to other roots, served as Link rel="alternate". */
  alternateRoots: number;
  /** PEBBLE_VA_SLEEPTIME: the validator sleeps 0..N-1 s before each validation; 0 = no sleep. */
  vaSleepSeconds: number;
  /** PEBBLE_VA_ALWAYS_VALID: skip the real validation and mark challenges valid. */
  vaAlwaysValid: boolean;
  /** PEBBLE_WFE_NONCEREJECT: percentage of valid nonces refused with badNonce. */
  nonceRejectPercent: number;
  /** PEBBLE_AUTHZREUSE: percentage chance a valid authorization is reused for a new order. */
  authzReusePercent: number;
  /** PEBBLE_WFE_ORDERS_PER_PAGE: orders per page of an account's order list. */
  ordersPerPage: number;
  /** Seed for the chaos knobs above, so a failing run can be replayed. Absent: random. */
  seed?: number;
  /** Where the validator resolves names: 'loopback' maps every name to 127.0.0.1 (challtestsrv's -defaultIPv4), or host:port of a DNS server. */
  resolver: string;
  /** Static name -> address entries checked before `resolver`. */
  hosts: Record<string, string>;
  /** Seconds in Retry-After on pending authorizations and processing orders. */
  retryAfter: { authz: number; order: number };
  /** Largest JWS body accepted, in bytes. */
  maxBodyBytes: number;
  /** The CA's notion of now: tests of renewal move it. */
  clock: () => Date;
}

/** Pebble's defaults, except that nothing is random and we listen on loopback. */
export function defaultAcmeOptions(): AcmeServerOptions {
  return {
    listenAddress: '127.0.0.1:14000',
    managementListenAddress: '127.0.0.1:15000',
    httpPort: 5002,
    tlsPort: 5001,
    ocspResponderURL: '',
    crlListenAddress: '127.0.0.1:0',
    clientAuthEku: false,
    externalAccountBindingRequired: false,
    externalAccountMACKeys: {},
    domainBlocklist: [],
    certificateValidityPeriod: 157_766_400,
    profiles: {},
    rateLimits: {},
    keyAlgorithm: 'rsa',
    chainLength: 1,
    alternateRoots: 0,
    vaSleepSeconds: 0,
    vaAlwaysValid: false,
    nonceRejectPercent: 0,
    authzReusePercent: 0,
    ordersPerPage: 3,
    resolver: 'loopback',
    hosts: {},
    retryAfter: { authz: 0, order: 0 },
    maxBodyBytes: 64 * 1024,
    clock: () => new Date(),
  };
}

export class AcmeConfigError extends Error {}

/** Pebble's config file: {"pebble": {...}} with the field names of cmd/pebble/main.go. */
export function parsePebbleConfig(text: string, file: string): Partial<AcmeServerOptions> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AcmeConfigError(`${file}: not JSON: ${(e as Error).message}`);
  }
  const p = (doc as { pebble?: Record<string, unknown> })?.pebble;
  if (!p || typeof p !== 'object') throw new AcmeConfigError(`${file}: expected an object with a "pebble" key, as in Pebble's test/config/pebble-config.json`);
  const out: Partial<AcmeServerOptions> = {};
  const str = (k: string) => {
    if (p[k] === undefined) return undefined;
    if (typeof p[k] !== 'string') throw new AcmeConfigError(`${file}: pebble.${k} must be a string`);
    return p[k] as string;
  };
  const num = (k: string) => {
    if (p[k] === undefined) return undefined;
    if (typeof p[k] !== 'number' || !Number.isInteger(p[k]) || (p[k] as number) < 0) throw new AcmeConfigError(`${file}: pebble.${k} must be a non-negative integer`);
    return p[k] as number;
  };
  const set = <K extends keyof AcmeServerOptions>(k: K, v: AcmeServerOptions[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('listenAddress', str('listenAddress'));
  set('managementListenAddress', str('managementListenAddress'));
  set('certificate', str('certificate'));
  set('privateKey', str('privateKey'));
  set('httpPort', num('httpPort'));
  set('tlsPort', num('tlsPort'));
  set('ocspResponderURL', str('ocspResponderURL'));
  set('certificateValidityPeriod', num('certificateValidityPeriod'));
  if (p.externalAccountBindingRequired !== undefined) out.externalAccountBindingRequired = p.externalAccountBindingRequired === true;
  if (p.externalAccountMACKeys !== undefined) {
    const keys = p.externalAccountMACKeys as Record<string, unknown>;
    if (!keys || typeof keys !== 'object' || Object.values(keys).some((v) => typeof v !== 'string')) throw new AcmeConfigError(`${file}: pebble.externalAccountMACKeys must map key ids to base64url strings`);
    out.externalAccountMACKeys = keys as Record<string, string>;
  }
  if (p.domainBlocklist !== undefined) {
    if (!Array.isArray(p.domainBlocklist)) throw new AcmeConfigError(`${file}: pebble.domainBlocklist must be a list of names`);
    out.domainBlocklist = p.domainBlocklist.map(String);
  }
  const alg = str('keyAlgorithm');
  if (alg !== undefined) {
    if (alg !== 'rsa' && alg !== 'ecdsa') throw new AcmeConfigError(`${file}: pebble.keyAlgorithm must be "rsa" or "ecdsa", not "${alg}"`);
    out.keyAlgorithm = alg;
  }
  if (p.profiles !== undefined) {
    const profiles = p.profiles as Record<string, { description?: unknown; validityPeriod?: unknown }>;
    if (!profiles || typeof profiles !== 'object') throw new AcmeConfigError(`${file}: pebble.profiles must map names to {description, validityPeriod}`);
    out.profiles = Object.fromEntries(Object.entries(profiles).map(([name, v]) => [name, { description: String(v?.description ?? name), ...(typeof v?.validityPeriod === 'number' ? { validityPeriod: v.validityPeriod } : {}) }]));
  }
  if (p.retryAfter !== undefined) {
    const r = p.retryAfter as { authz?: unknown; order?: unknown };
    out.retryAfter = { authz: Number(r?.authz ?? 0), order: Number(r?.order ?? 0) };
  }
  return out;
}

/** PEBBLE_* variables, read as Pebble reads them: unparsable values are ignored. */
export function pebbleEnvironment(env: Record<string, string | undefined>): Partial<AcmeServerOptions> {
  const out: Partial<AcmeServerOptions> = {};
  const int = (name: string) => {
    const v = env[name];
    return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
  };
  const flag = (name: string) => /^(1|t|true)$/i.test(env[name]?.trim() ?? '');
  const sleep = int('PEBBLE_VA_SLEEPTIME');
  if (sleep !== undefined) out.vaSleepSeconds = sleep;
  if (flag('PEBBLE_VA_NOSLEEP')) out.vaSleepSeconds = 0;
  if (flag('PEBBLE_VA_ALWAYS_VALID')) out.vaAlwaysValid = true;
  const reject = int('PEBBLE_WFE_NONCEREJECT');
  if (reject !== undefined && reject <= 100) out.nonceRejectPercent = reject;
  const reuse = int('PEBBLE_AUTHZREUSE');
  if (reuse !== undefined && reuse <= 100) out.authzReusePercent = reuse;
  const perPage = int('PEBBLE_WFE_ORDERS_PER_PAGE');
  if (perPage) out.ordersPerPage = perPage;
  const chain = int('PEBBLE_CHAIN_LENGTH');
  if (chain !== undefined) out.chainLength = Math.max(1, chain);
  const alternates = int('PEBBLE_ALTERNATE_ROOTS');
  if (alternates !== undefined) out.alternateRoots = alternates;
  return out;
}

/** The CA key type for Pebble's keyAlgorithm. */
export function caKeyType(o: AcmeServerOptions): KeyType {
  return o.keyAlgorithm === 'ecdsa' ? 'ec-p256' : 'rsa-2048';
}

/** host:port, [v6]:port or :port, as Go's net.Listen accepts them. */
export function splitListenAddress(address: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!m) throw new AcmeConfigError(`${what} '${address}' is not host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new AcmeConfigError(`${what} '${address}': port out of range`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
