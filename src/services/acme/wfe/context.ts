// What every handler gets: the store, the nonce service, the CA and the validator, the settings,
// and a place to park background work (validation, issuance) so stop() can wait for it.
import type { AcmeServerOptions } from '../config.ts';
import type { AcmeStore } from '../state.ts';
import type { NonceService } from '../nonces.ts';
import type { CertificateAuthority } from '../ca.ts';
import type { Validator } from '../va.ts';
import type { Chance } from '../chance.ts';
import type { RateLimiter } from '../rate-limits.ts';

export interface WfeContext {
  options: AcmeServerOptions;
  store: AcmeStore;
  nonces: NonceService;
  ca: CertificateAuthority;
  va: Validator;
  chance: Chance;
  limits: RateLimiter;
  /** Host used for URLs when a request has no Host header. */
  defaultHost: string;
  /** When the CA started: the date of its first, empty CRL. */
  startedAt: Date;
  now(): Date;
  /** Stops the CA's clock at a time (management POST /clock): renewal tests live in the future. */
  setNow(at: Date): void;
  log(line: string): void;
  /** Starts background work the server waits for on stop. */
  background(task: () => Promise<void>): void;
}

/** Pebble's resource paths, so tools and docs written for Pebble work unchanged. */
export const PATHS = {
  directory: '/dir',
  newNonce: '/nonce-plz',
  newAccount: '/sign-me-up',
  newOrder: '/order-plz',
  revokeCert: '/revoke-cert',
  keyChange: '/rollover-account-key',
  account: '/my-account/',
  orders: '/list-orderz/',
  order: '/my-order/',
  finalize: '/finalize-order/',
  authz: '/authZ/',
  challenge: '/chalZ/',
  certificate: '/certZ/',
  renewalInfo: '/draft-ietf-acme-ari-03/renewalInfo',
} as const;

/** A path with one id, as a route pattern: `/my-order/<id>`. */
export const withId = (prefix: string) => new RegExp(`^${prefix.replace(/[/.-]/g, '\\$&')}([A-Za-z0-9_-]+)$`);
