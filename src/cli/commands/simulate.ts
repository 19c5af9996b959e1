// `certharness simulate`: a renewal policy against an ACME profile over simulated time.
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { parseOptions } from '../options.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { SIMULATION_POLICY_NAMES, type SimulationPolicyName } from '../../clients/certmanager/renewal-policy.ts';
import { SIMULATED_PROFILES, simulateRenewals, type SimulatedProfile } from '../../simulate/renewals.ts';
import { timelineSvg } from '../../simulate/timeline-svg.ts';

export const SIMULATE_HELP = `Usage: certharness simulate --policy doc-003|certbot|ari|fixed-30d --profile classic|tlsserver|shortlived
                            [--from DATE] [--days N] [--seed N] [--rate-limits letsencrypt|none]
                            [--json] [--svg FILE]

Runs a certificate manager's renewal policy against one of Let's Encrypt's ACME profiles over
simulated time: the real CA in this process, its clock set to each moment the manager looks,
and the real ACME client. Nothing sleeps: a year takes seconds.

Policies:
  doc-003   every Monday 00:00 UTC, renew when fewer than 30 days remain (document 003)
  certbot   twice a day, renew with a third of the lifetime left (half, under 10 days)
  ari       twice a day ask the CA's renewalInfo, renew at a random time in its window
  fixed-30d twice a day, renew when fewer than 30 days remain: a fixed threshold, what
            reaches the rate limits under a short profile (Nginx Proxy Manager's #5483)
Profiles (dated by the CA's clock): classic (90 days; 64 from 2027-02-10; 45 from
2028-02-16), tlsserver (45 days), shortlived (160 hours).

  --from DATE   start (default today, 00:00 UTC)
  --days N      how long (default 365)
  --seed N      the seed of ARI's random renewal time (default 1)
  --rate-limits letsencrypt (the default: 5 certificates per exact set of names a week, ARI
                renewals exempt; a refused renewal is tried again at the next look) or none
  --json        print the result as JSON: renewals, expiredHours, minRemainingHours,
                ariWindowsMissed, lapses, rateLimited, rateLimitedAt
  --svg FILE    draw lifetime left over time, renewals and lapses

Exit 1 when the certificate lapsed at any time, 0 when it never did.

Examples:
  certharness simulate --policy doc-003 --profile shortlived --days 28
  certharness simulate --policy ari --profile shortlived --json --svg ari.svg
  certharness simulate --policy fixed-30d --profile shortlived --days 14
`;

export async function simulateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { policy: { type: 'string' }, profile: { type: 'string' }, from: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' }, 'rate-limits': { type: 'string' }, json: { type: 'boolean', default: false }, svg: { type: 'string' } }, 'simulate');
  if (values.help) return io.stdout(SIMULATE_HELP), EXIT.ok;
  if (positionals.length) throw new UsageError(`simulate takes no arguments (got ${positionals.join(' ')})`);
  const policy = values.policy as SimulationPolicyName;
  if (!SIMULATION_POLICY_NAMES.includes(policy)) throw new UsageError(`--policy ${values.policy ?? '(missing)'}: use ${SIMULATION_POLICY_NAMES.join(', ')}`);
  const rateLimits = values['rate-limits'] ?? 'letsencrypt';
  if (rateLimits !== 'letsencrypt' && rateLimits !== 'none') throw new UsageError(`--rate-limits ${rateLimits}: use letsencrypt or none`);
  const profile = values.profile as SimulatedProfile;
  if (!SIMULATED_PROFILES.includes(profile)) throw new UsageError(`--profile ${values.profile ?? '(missing)'}: use ${SIMULATED_PROFILES.join(', ')}`);
  const today = new Date();
  const from = values.from === undefined ? new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())) : new Date(/^\d{4}-\d{2}-\d{2}$/.test(values.from) ? `${values.from}T00:00:00Z` : values.from);
  if (Number.isNaN(from.getTime())) throw new UsageError(`--from ${values.from}: expected a date (2027-01-04) or an ISO time`);
  const days = values.days === undefined ? 365 : Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3660) throw new UsageError(`--days ${values.days}: expected a whole number of days from 1 to 3660`);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed ${values.seed}: expected a whole number`);
  // Where the SVG goes is checked before a year is simulated, and it is written whole or not at all.
  if (values.svg) {
    try {
      accessSync(dirname(resolve(values.svg)), constants.W_OK);
    } catch (e) {
      throw new UsageError(`--svg ${values.svg}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const r = await simulateRenewals({ policy, profile, from, days, seed, rateLimits });
  if (values.svg) {
    try {
      await writeFileAtomic(values.svg, timelineSvg(r));
    } catch (e) {
      throw new UsageError(`--svg ${values.svg}: ${(e as Error).message}`);
    }
  }
  if (values.json) io.stdout(JSON.stringify(r, null, 2) + '\n');
  else {
    io.stdout(`${policy} against ${profile}, ${r.from.slice(0, 10)} to ${r.to.slice(0, 10)}: ${r.policySummary}\n`);
    io.stdout(`  certificates of ${[...new Set(r.validityHours)].map((h) => (h % 24 ? `${h} h` : `${h / 24} days`)).join(', then ')}\n`);
    io.stdout(`  ${r.renewals} renewals; ${r.expiredHours} hours without a valid certificate in ${r.lapses.length} lapse(s); at least ${Math.round(r.minRemainingHours)} hours left when it looked${policy === 'ari' ? `; ${r.ariWindowsMissed} ARI window(s) missed` : ''}\n`);
    if (r.rateLimited) io.stdout(`  ${r.rateLimited} renewal(s) refused with rateLimited, the first at ${r.rateLimitedAt[0]}\n`);
    if (r.lapses[0]) io.stdout(`  first lapse: ${r.lapses[0].from} to ${r.lapses[0].to} (${r.lapses[0].hours} h)\n`);
  }
  return r.lapses.length ? EXIT.failed : EXIT.ok;
}
