// Let's Encrypt's rate limits, off unless a scenario asks: token buckets on the CA's clock
// (letsencrypt.org/docs/rate-limits: a bucket holds `count` requests and refills one every
// period / count), answered with rateLimited (429) and Retry-After. A renewal that follows ARI
// (its `replaces` names a certificate whose suggested window has begun) is exempt from all of
// them, as at Let's Encrypt.
import { getDomain } from 'tldts';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Identifier } from '../../clients/acme/wire.ts';
import { rateLimited, type AcmeProblem } from './problems.ts';
import { RATE_LIMIT_NAMES, type RateLimit, type RateLimitName, type RateLimits } from './rate-limit-table.ts';

/** What each limit counts, in the words of the problem a client gets. */
const WHAT: Record<RateLimitName, (count: number, key: string) => string> = {
  newOrdersPerAccount: (n) => `too many new orders (${n}) from this account`,
  certificatesPerDomain: (n, key) => `too many certificates (${n}) already issued for the registered domain "${key}"`,
  duplicateCertificates: (n, key) => `too many certificates (${n}) already issued for this exact set of identifiers (${key})`,
  failedValidations: (n, key) => `too many failed authorizations (${n}) for "${key.split(' ')[1]}" from this account`,
};

/**
 * The registered domain a certificate counts against: the name below its public suffix (the
 * Public Suffix List, through tldts); an IPv4 address is its own, an IPv6 address its /64.
 */
export function registeredDomain(id: Identifier): string {
  if (id.type === 'ip' || isIP(id.value)) {
    if (isIP(id.value) !== 6) return id.value;
    return `${ipaddr.IPv6.networkAddressFromCIDR(`${id.value}/64`).toString()}/64`;
  }
  const name = id.value.replace(/^\*\./, '');
  return getDomain(name, { allowPrivateDomains: false }) ?? name;
}

/** The key of the duplicate-certificate limit: the sorted set of identifiers. */
export function identifierSetKey(ids: Identifier[]): string {
  return [...new Set(ids.map((i) => i.value.toLowerCase()))].sort().join(',');
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  readonly limits: RateLimits;
  private readonly now: () => Date;
  constructor(limits: RateLimits, now: () => Date) {
    this.limits = limits;
    this.now = now;
  }

  get enabled(): boolean {
    return RATE_LIMIT_NAMES.some((n) => this.limits[n]);
  }

  /** The problem to answer when `limit` has no capacity left for `key`; undefined when it has. */
  check(limit: RateLimitName, key: string): AcmeProblem | undefined {
    const l = this.limits[limit];
    if (!l) return undefined;
    const b = this.current(limit, key, l);
    if (b.tokens >= 1) return undefined;
    const interval = l.periodSeconds / l.count;
    // Rounded to the millisecond first, so float dust does not add a second.
    const waitSeconds = Math.max(1, Math.ceil(Math.round((1 - b.tokens) * interval * 1000) / 1000));
    const retryAt = new Date(b.atMs + waitSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    return rateLimited(`${WHAT[limit](l.count, key)} in the last ${span(l.periodSeconds)}: retry after ${retryAt} (rate limit ${limit})`, waitSeconds);
  }

  /** Takes one request from the bucket (it may go below one: a spend after a check is never refused). */
  spend(limit: RateLimitName, key: string): void {
    const l = this.limits[limit];
    if (!l) return;
    const b = this.current(limit, key, l);
    b.tokens = Math.max(0, b.tokens - 1);
  }

  private current(limit: RateLimitName, key: string, l: RateLimit): Bucket {
    const id = `${limit} ${key}`;
    const nowMs = this.now().getTime();
    const b = this.buckets.get(id) ?? { tokens: l.count, atMs: nowMs };
    // A clock set backwards refills nothing and takes nothing back.
    const elapsed = Math.max(0, nowMs - b.atMs) / 1000;
    b.tokens = Math.min(l.count, b.tokens + elapsed / (l.periodSeconds / l.count));
    b.atMs = Math.max(b.atMs, nowMs);
    this.buckets.set(id, b);
    return b;
  }
}

function span(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`;
  const HOUR = 3600;
  if (seconds % HOUR === 0) return `${seconds / HOUR} hour${seconds === HOUR ? '' : 's'}`;
  return `${seconds} s`;
}
