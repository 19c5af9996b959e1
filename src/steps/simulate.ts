// `simulate`: `certharness simulate` as a step, so a scenario can state what a renewal policy
// does under a profile over months (no lapse, no rate-limit refusal) and CI holds it to that.
//
//   - simulate: { policy: doc-003, profile: shortlived, days: 28 }
//     expect: { expiredHours: 32, lapses: 4 }
import { s } from '../scenario/schema.ts';
import { resolveWorkPath, workFile } from '../scenario/work-path.ts';
import { matcher } from '../expect/vocabulary.ts';
import { SIMULATION_POLICY_NAMES } from '../clients/certmanager/renewal-policy.ts';
import { SIMULATED_PROFILES, simulateRenewals } from '../simulate/renewals.ts';
import { lifetimeOf, timelineSvg } from '../simulate/timeline-svg.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { defineStep } from './types.ts';
import { scenarioNow } from './clock.ts';

const simulateSchema = s.object(
  {
    policy: s.enum(SIMULATION_POLICY_NAMES, "the renewal policy: doc-003 (Mondays, under 30 days), certbot (a third of the lifetime left), ari (the CA's window), fixed-30d (twice a day, under 30 days)"),
    profile: s.enum(SIMULATED_PROFILES, "Let's Encrypt's profile, dated by the simulated clock: classic, tlsserver or shortlived"),
    days: s.integer({ minimum: 1, maximum: 3660, description: 'how many days to simulate (default 365)' }),
    from: s.string({ description: "an RFC 3339 time to start at (default: the scenario's clock)" }),
    seed: s.integer({ minimum: 0, description: "the seed of ARI's random renewal time (default 1)" }),
    rateLimits: s.enum(['letsencrypt', 'none'], "Let's Encrypt's rate limits (the default) or none"),
    svg: workFile('write', 'draw the timeline (lifetime left, renewals, lapses, refusals) to this file inside the work directory'),
  },
  { required: ['policy', 'profile'] },
);

export const simulateStep = defineStep({
  kind: 'simulate',
  summary: "runs a renewal policy against an ACME profile over simulated time with the real CA and client (certharness simulate), in seconds",
  schema: simulateSchema,
  expect: {
    renewals: matcher('number', 'certificates issued after the first'),
    expiredHours: matcher('number', 'hours without a valid certificate'),
    lapses: matcher('number', 'times the certificate expired before it was replaced'),
    lapsed: matcher('boolean', 'the certificate expired at least once'),
    minRemainingHours: matcher('number', 'the least lifetime left the manager saw when it looked'),
    rateLimited: matcher('number', 'renewals the CA refused with rateLimited'),
    ariWindowsMissed: matcher('number', 'ARI windows that ended before the renewal they suggested'),
    validityHours: matcher('any', "each certificate's validity in hours"),
    firstLapse: matcher('any', '{from, to, hours} of the first lapse'),
    svgFile: matcher('string'),
  },
  async execute(spec, ctx) {
    const from = spec.from === undefined ? scenarioNow(ctx) : new Date(spec.from);
    if (Number.isNaN(from.getTime())) return { error: { code: 'bad-time', message: `'${spec.from}' is not an RFC 3339 time` } };
    const svgFile = spec.svg === undefined ? undefined : resolveWorkPath(ctx.workDir, spec.svg, 'write', 'simulate svg');
    const r = await simulateRenewals({ policy: spec.policy, profile: spec.profile, from, days: spec.days ?? 365, seed: spec.seed ?? 1, rateLimits: spec.rateLimits ?? 'letsencrypt', signal: ctx.signal });
    if (svgFile) await writeFileAtomic(svgFile, timelineSvg(r));
    ctx.log(`${spec.policy} against ${spec.profile} from ${r.from} to ${r.to}: ${r.renewals} renewals, ${r.expiredHours} h lapsed, ${r.rateLimited} rate-limited`);
    return {
      renewals: r.renewals,
      expiredHours: r.expiredHours,
      lapses: r.lapses.length,
      lapsed: r.lapses.length > 0,
      minRemainingHours: Math.round(r.minRemainingHours * 10) / 10,
      rateLimited: r.rateLimited,
      ariWindowsMissed: r.ariWindowsMissed,
      validityHours: [...new Set(r.validityHours)],
      ...(r.lapses[0] ? { firstLapse: r.lapses[0] } : {}),
      ...(svgFile ? { svgFile } : {}),
      // The report draws it: issuances, lapses and refusals, a few hundred bytes.
      lifetime: lifetimeOf(r),
    };
  },
});
