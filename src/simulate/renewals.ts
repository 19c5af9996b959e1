// A renewal policy against a CA profile over simulated time: the real CA (in this process, its
// clock set to each moment the manager looks) and the real ACME client, with no sleeping. What
// comes out is what an operator needs to know before choosing a policy: how often it renews,
// how long the service went without a valid certificate, how close it came, and whether it
// followed the CA's ARI windows.
import { defaultAcmeOptions } from '../services/acme/config.ts';
import { AcmeClient } from '../clients/acme/client.ts';
import { issueCertificate } from '../clients/acme/issue.ts';
import { certIdOfPem } from '../clients/acme/cert-id.ts';
import { renewalPolicy, seededRandom, type SimulationPolicyName } from '../clients/certmanager/renewal-policy.ts';
import { AcmeError } from '../clients/acme/client.ts';
import { LETS_ENCRYPT_RATE_LIMITS } from '../services/acme/rate-limit-table.ts';
import { generateKey } from '../pki/keys.ts';
import { x509 } from '../pki/crypto.ts';

export const SIMULATED_PROFILES = ['classic', 'tlsserver', 'shortlived'] as const;
export type SimulatedProfile = (typeof SIMULATED_PROFILES)[number];

export interface SimulationOptions {
  policy: SimulationPolicyName;
  profile: SimulatedProfile;
  from: Date;
  days: number;
  /** Seeds ARI's random renewal time, so a run can be replayed. */
  seed: number;
  /** Let's Encrypt's rate limits (the default) or none. */
  rateLimits?: 'letsencrypt' | 'none';
  /** Told of each issuance, for progress. */
  onRenewal?: (at: Date, n: number) => void;
  /** Stops the simulation at the next look (a step's timeout, Ctrl-C); the CA is stopped either way. */
  signal?: AbortSignal;
}

export interface SimulationResult {
  policy: SimulationPolicyName;
  policySummary: string;
  profile: SimulatedProfile;
  from: string;
  to: string;
  seed: number;
  /** Certificates issued after the first. */
  renewals: number;
  /** Hours in the span without a valid certificate. */
  expiredHours: number;
  lapses: { from: string; to: string; hours: number }[];
  /** The least lifetime left the manager saw when it looked (0 when it found the certificate expired). */
  minRemainingHours: number;
  /** ARI windows that ended before the renewal they suggested. */
  ariWindowsMissed: number;
  rateLimits: 'letsencrypt' | 'none';
  /** Renewals the CA refused with rateLimited, and when; the manager tries again at its next look. */
  rateLimited: number;
  rateLimitedAt: string[];
  /** Each certificate's validity, in hours, and when each was issued. */
  validityHours: number[];
  renewedAt: string[];
  /** When each certificate expires (its notAfter). */
  expiresAt: string[];
  /** Lifetime left each time the manager looked, before it acted. */
  samples: { at: string; remainingHours: number }[];
}

const HOUR_MS = 3_600_000;

export async function simulateRenewals(o: SimulationOptions): Promise<SimulationResult> {
  // The CA starts on real time, so its HTTPS listener's certificate is valid to this client; then its clock is the simulation's.
  let now = new Date();
  const end = new Date(o.from.getTime() + o.days * 86_400_000);
  // Let's Encrypt's profiles, dated by the CA's clock; validation always passes: what is tested is when the manager renews, not how it proves control.
  // Its hierarchy is ECDSA: no result depends on the CA's key, and an RSA-2048 pair costs about 160 ms of CPU to make.
  const rateLimits = o.rateLimits ?? 'letsencrypt';
  const { startAcmeServer } = await import('../services/acme/server.ts');
  const server = await startAcmeServer({ ...defaultAcmeOptions(), keyAlgorithm: 'ecdsa', listenAddress: '127.0.0.1:0', managementListenAddress: '', crlListenAddress: '', vaAlwaysValid: true, profilePreset: 'letsencrypt', rateLimits: rateLimits === 'letsencrypt' ? LETS_ENCRYPT_RATE_LIMITS : {}, clock: () => now });
  now = new Date(o.from);
  // The CA is in this process and validates at once: poll again after 2 ms, not a network client's 100.
  const client = new AcmeClient({ directoryUrl: server.directoryUrl, accountKey: await generateKey('ec-p256'), ca: server.tlsCaPem, pollMinMs: 2 });
  const responder = { type: 'http-01' as const, hits: 0, present: async () => {}, cleanup: async () => {}, close: async () => {} };
  const policy = renewalPolicy(o.policy, seededRandom(o.seed));
  const out: SimulationResult = { policy: o.policy, policySummary: policy.summary, profile: o.profile, from: o.from.toISOString(), to: end.toISOString(), seed: o.seed, renewals: 0, expiredHours: 0, lapses: [], minRemainingHours: Number.POSITIVE_INFINITY, ariWindowsMissed: 0, rateLimits, rateLimited: 0, rateLimitedAt: [], validityHours: [], renewedAt: [], expiresAt: [], samples: [] };
  try {
    await client.newAccount({ termsOfServiceAgreed: true });
    const issue = async (replaces?: string) => {
      const r = await issueCertificate(client, { names: ['aiotes.example.org'], responder, certificateKey: await generateKey('ec-p256'), profile: o.profile, ...(replaces ? { replaces } : {}) });
      const c = new x509.X509Certificate(r.certPem);
      out.validityHours.push(Math.round((c.notAfter.getTime() - c.notBefore.getTime()) / HOUR_MS));
      out.renewedAt.push(now.toISOString());
      out.expiresAt.push(c.notAfter.toISOString());
      o.onRenewal?.(now, out.validityHours.length);
      // Its ARI name once, not at each of the many looks (parsing the certificate is most of a look).
      return { id: policy.asksAri ? certIdOfPem(r.certPem) : undefined, notBefore: c.notBefore, notAfter: c.notAfter };
    };
    let cert = await issue();
    for (now = next(policy, now); now < end; now = next(policy, now)) {
      o.signal?.throwIfAborted();
      const left = cert.notAfter.getTime() - now.getTime();
      out.samples.push({ at: now.toISOString(), remainingHours: Math.max(0, left / HOUR_MS) });
      out.minRemainingHours = Math.min(out.minRemainingHours, Math.max(0, left / HOUR_MS));
      const window = policy.asksAri ? await ariWindow(client, cert.id) : undefined;
      if (!policy.due(cert, now, window)) continue;
      let renewed;
      try {
        renewed = await issue(policy.asksAri ? cert.id : undefined);
      } catch (e) {
        if (!(e instanceof AcmeError && e.type === 'rateLimited')) throw e;
        out.rateLimited++;
        out.rateLimitedAt.push(now.toISOString());
        continue;
      }
      if (window && now > window.end) out.ariWindowsMissed++;
      if (left < 0) addLapse(out, cert.notAfter, now);
      cert = renewed;
      out.renewals++;
    }
    if (cert.notAfter < end) addLapse(out, cert.notAfter, end);
  } finally {
    await client.close();
    await server.stop();
  }
  if (!Number.isFinite(out.minRemainingHours)) out.minRemainingHours = 0;
  out.expiredHours = Math.round(out.lapses.reduce((sum, l) => sum + l.hours, 0) * 10) / 10;
  return out;
}

/** The manager's next look; a policy that does not move time on is a bug, never a hang. */
function next(policy: { name: string; nextCheck(t: Date): Date }, t: Date): Date {
  const n = policy.nextCheck(t);
  if (!(n.getTime() > t.getTime())) throw new Error(`policy ${policy.name} looks again at ${n.toISOString()}, not after ${t.toISOString()}`);
  return n;
}

function addLapse(out: SimulationResult, from: Date, to: Date): void {
  out.lapses.push({ from: from.toISOString(), to: to.toISOString(), hours: Math.round(((to.getTime() - from.getTime()) / HOUR_MS) * 10) / 10 });
}

async function ariWindow(client: AcmeClient, id: string | undefined): Promise<{ start: Date; end: Date } | undefined> {
  const info = id ? await client.renewalInfo(id) : undefined;
  return info ? { start: new Date(info.suggestedWindow.start), end: new Date(info.suggestedWindow.end) } : undefined;
}
