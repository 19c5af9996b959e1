// When a certificate manager looks, and when it renews: document 003's weekly rule, certbot's
// share of the lifetime, and ARI's window. Pure functions of the certificate and the time, so a
// year of them can be simulated on a clock that jumps (simulate/).
import { DAY_MS, isRenewalDay, renewalDue } from './policy.ts';

export const POLICY_NAMES = ['doc-003', 'certbot', 'ari'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];
/** The manager's policies, and a fixed threshold checked often: what breaks in the field, for `simulate` to show. */
export const SIMULATION_POLICY_NAMES = [...POLICY_NAMES, 'fixed-30d'] as const;
export type SimulationPolicyName = (typeof SIMULATION_POLICY_NAMES)[number];

const HOUR_MS = 3_600_000;

export interface Lifetime {
  notBefore: Date;
  notAfter: Date;
}

export interface RenewalPolicy {
  name: SimulationPolicyName;
  summary: string;
  /** The first time after `t` the manager looks. */
  nextCheck(t: Date): Date;
  /** Whether to renew now; `window` is ARI's suggested window, for the policies that ask for it. */
  due(cert: Lifetime, now: Date, window?: { start: Date; end: Date }): boolean;
  asksAri: boolean;
}

/** Document 003: "attempt renewal every monday", "if there are less than 30 days to expirancy". */
const doc003: RenewalPolicy = {
  name: 'doc-003',
  summary: 'every Monday at 00:00 UTC, renew when fewer than 30 days remain (document 003)',
  asksAri: false,
  nextCheck(t) {
    const next = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1));
    while (!isRenewalDay(next, 'monday')) next.setUTCDate(next.getUTCDate() + 1);
    return next;
  },
  due: (cert, now) => renewalDue(cert.notAfter, now, 30),
};

/**
 * A fixed "fewer than 30 days left" checked twice a day: under a 160-hour certificate it renews at
 * every look, which is how clients with such a rule reach the CA's rate limits (Nginx Proxy
 * Manager's issue #5483).
 */
const fixed30d: RenewalPolicy = {
  name: 'fixed-30d',
  summary: 'twice a day, renew when fewer than 30 days remain (a fixed threshold, as in Nginx Proxy Manager\'s issue #5483)',
  asksAri: false,
  nextCheck: (t) => new Date(t.getTime() + 12 * HOUR_MS),
  due: (cert, now) => renewalDue(cert.notAfter, now, 30),
};

/** certbot 4: its timer runs twice a day; renew with a third of the lifetime left, half below 10 days. */
const certbot: RenewalPolicy = {
  name: 'certbot',
  summary: 'twice a day, renew when a third of the lifetime remains (half, for certificates of under 10 days), as certbot does since its PR #10207',
  asksAri: false,
  nextCheck: (t) => new Date(t.getTime() + 12 * HOUR_MS),
  due(cert, now) {
    const life = cert.notAfter.getTime() - cert.notBefore.getTime();
    const share = life < 10 * DAY_MS ? 1 / 2 : 1 / 3;
    return cert.notAfter.getTime() - now.getTime() < life * share;
  },
};

/** ARI (RFC 9773): poll twice a day, as Let's Encrypt asks; renew at a time chosen at random inside the window. */
export function ariPolicy(random: () => number): RenewalPolicy {
  let chosen: { window: string; at: number } | undefined;
  return {
    name: 'ari',
    summary: "twice a day ask the CA's renewalInfo, and renew at a random time inside its suggested window (RFC 9773 §4.2)",
    asksAri: true,
    // RFC 9773 §4.2: a time chosen before the next poll is when the client renews, not the next poll.
    nextCheck(t) {
      const poll = t.getTime() + 12 * HOUR_MS;
      return new Date(chosen && chosen.at > t.getTime() && chosen.at < poll ? chosen.at : poll);
    },
    due(_cert, now, window) {
      if (!window) return false;
      const key = `${window.start.toISOString()}/${window.end.toISOString()}`;
      if (chosen?.window !== key) chosen = { window: key, at: Math.ceil(window.start.getTime() + random() * (window.end.getTime() - window.start.getTime())) };
      return now.getTime() >= chosen.at;
    },
  };
}

export function renewalPolicy(name: SimulationPolicyName, random: () => number): RenewalPolicy {
  return name === 'doc-003' ? doc003 : name === 'certbot' ? certbot : name === 'fixed-30d' ? fixed30d : ariPolicy(random);
}

/** A small seeded generator (mulberry32), so a simulation can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
