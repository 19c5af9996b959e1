// ACME profiles (draft-ietf-acme-profiles): what an order may ask for and what the certificate
// is. `profiles: letsencrypt` offers Let's Encrypt's three with the numbers of its dated
// announcements, read at the CA's clock, so a scenario at 2027-02-10 sees 64-day `classic`
// certificates (letsencrypt.org/2025/12/02/from-90-to-45, docs/profiles).
import type { AcmeServerOptions } from './config.ts';

export interface Profile {
  description: string;
  /** Leaf validity in seconds; absent: the CA's certificateValidityPeriod. */
  validityPeriod?: number;
  /** Most identifiers an order may carry. */
  maxNames?: number;
  /** Identifier types it issues for (default dns and ip). */
  identifierTypes?: ('dns' | 'ip')[];
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** classic's validity by date: 90 days, 64 from 2027-02-10, 45 from 2028-02-16. */
const CLASSIC_VALIDITY: [from: string, days: number][] = [
  ['2028-02-16T00:00:00Z', 45],
  ['2027-02-10T00:00:00Z', 64],
];

/** Let's Encrypt's profiles as they stand at `at`. */
export function letsEncryptProfiles(at: Date): Record<string, Profile> {
  const classicDays = CLASSIC_VALIDITY.find(([from]) => at >= new Date(from))?.[1] ?? 90;
  return {
    classic: { description: `The default: ${classicDays}-day certificates for up to 100 DNS names`, validityPeriod: classicDays * DAY, maxNames: 100, identifierTypes: ['dns'] },
    tlsserver: { description: '45-day certificates for up to 25 DNS names, for TLS servers', validityPeriod: 45 * DAY, maxNames: 25, identifierTypes: ['dns'] },
    shortlived: { description: '160-hour certificates for up to 25 DNS names or IP addresses', validityPeriod: 160 * HOUR, maxNames: 25, identifierTypes: ['dns', 'ip'] },
  };
}

/** The profiles offered now, and the one an order without `profile` gets. */
export function offeredProfiles(options: AcmeServerOptions, now: Date): { profiles: Record<string, Profile>; defaultProfile?: string } {
  if (options.profilePreset === 'letsencrypt') return { profiles: letsEncryptProfiles(now), defaultProfile: 'classic' };
  return { profiles: options.profiles };
}
