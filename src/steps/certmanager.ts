// `certmanager`: document 003's certificate manager, one run at a time: `run` (at start: the
// user's certificates, else ACME over HTTP-01, else self-signed), `renew` (the Monday job),
// `status`. It uses the scenario's clock (see the `clock` step) and writes certbot's layout
// under <workDir>/letsencrypt/live/aiotes/ unless told otherwise.
//
//   - certmanager: { server: ca, hostname: aiotes.example.org, email: sysadmin@example.org }
//     expect: { outcome: issued, source: acme }
import { join } from 'node:path';
import { s, type Infer } from '../scenario/schema.ts';
import { matcher, errorFields } from '../expect/vocabulary.ts';
import { managerStatus, renewManager, runManager } from '../clients/certmanager/manager.ts';
import { MANAGER_SPEC_FIELDS, ManagerSpecError, settingsFromSpec } from '../clients/certmanager/spec.ts';
import { WEEKDAYS } from '../clients/certmanager/policy.ts';
import { scenarioNow } from './clock.ts';
import { defineStep } from './types.ts';
import { reachOf, revocationSetting } from './revocation-expect.ts';
import { POLICY_NAMES } from '../clients/certmanager/renewal-policy.ts';

export type CertmanagerSpec = Infer<typeof certmanagerSchema>;

const certmanagerSchema = s.object(
  {
    action: s.enum(['run', 'renew', 'status'], 'default run'),
    ...MANAGER_SPEC_FIELDS,
    renewBeforeDays: s.integer({ minimum: 1, description: 'renew when fewer days remain (default 30)' }),
    weekday: s.enum(WEEKDAYS, 'the renewal day (default monday)'),
    selfSignedDays: s.integer({ minimum: 1, description: 'validity of the self-signed fallback (default 90)' }),
    replaceProvided: s.boolean('renew user-provided certificates with ACME ones when due'),
    force: s.boolean('renew: whatever the day and the days left'),
    policy: s.enum(POLICY_NAMES, 'renew: doc-003 (Mondays, under renewBeforeDays; the default), certbot (a third of the lifetime left, half under 10 days, any day) or ari (the CA\'s renewalInfo window has begun; the order names the certificate it replaces)'),
    revocation: s.describe(revocationSetting, 'run and renew: ask the CRL and OCSP URLs in the current certificate whether it was revoked, and replace a revoked one at once, whatever the day (true dials loopback URLs only; any dials what the certificate names)'),
  },
  { required: ['hostname'] },
);

export const certmanagerStep = defineStep({
  kind: 'certmanager',
  summary: "document 003's certificate manager: run (provided, else ACME, else self-signed), renew (Mondays, under 30 days), status",
  schema: certmanagerSchema,
  expect: {
    outcome: matcher('string', 'provided, issued, renewed, self-signed, kept, not-due, not-today'),
    source: matcher('string', 'provided, acme, self-signed'),
    changed: matcher('boolean', 'live/ now holds another certificate'),
    reasons: matcher('any', 'why the provided certificate or the CA was not used'),
    warnings: matcher('any'),
    acmeError: errorFields(),
    notAfter: matcher('string'),
    daysLeft: matcher('number'),
    serial: matcher('string'),
    ok: matcher('boolean', 'status: live/ holds a usable pair'),
    renewalDue: matcher('boolean', 'status'),
    nextRenewalCheck: matcher('string', 'status'),
    now: matcher('string', 'the time the manager acted at'),
    keyFile: matcher('string'),
    certFile: matcher('string'),
    chainFile: matcher('string'),
    fullchainFile: matcher('string'),
    error: errorFields(),
  },
  defaultExpect: (spec) => (spec.action === 'status' ? { ok: true } : { acmeError: { exists: false } }),
  async execute(spec, ctx) {
    const server = spec.server ? ctx.world.services[spec.server] : undefined;
    const action = spec.action ?? 'run';
    let settings;
    try {
      settings = await settingsFromSpec(spec, server, {
        workDir: ctx.workDir,
        httpAddress: '127.0.0.1',
        needsCa: action !== 'status',
        more: { renewBeforeDays: spec.renewBeforeDays, renewWeekday: spec.weekday, selfSignedDays: spec.selfSignedDays, replaceProvided: spec.replaceProvided, checkRevocation: reachOf(spec.revocation), policy: spec.policy },
      });
    } catch (e) {
      if (e instanceof ManagerSpecError) return { error: { code: 'no-acme-ca', message: e.message } };
      throw e;
    }
    const now = scenarioNow(ctx);
    const live = join(settings.configDir, 'live', settings.name);
    const files = { keyFile: join(live, 'privkey.pem'), certFile: join(live, 'cert.pem'), chainFile: join(live, 'chain.pem'), fullchainFile: join(live, 'fullchain.pem') };
    if (action === 'status') return { now: now.toISOString(), ...(await managerStatus(settings, now)), ...files };
    const result = action === 'renew' ? await renewManager(settings, now, ctx.log, { force: spec.force ?? false }) : await runManager(settings, now, ctx.log);
    return { now: now.toISOString(), ...result, ...files };
  },
  timeline: (r) => {
    const acted = r.now ? [{ at: r.now, what: `the certificate manager: ${r.outcome ?? (r.ok ? 'status ok' : 'status')}` }] : [];
    const changed = r.changed && r.notAfter ? [{ at: r.notAfter, what: 'its new certificate expires' }] : [];
    return [...acted, ...changed];
  },
});
