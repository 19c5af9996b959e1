// certharness simulate: a renewal policy against a CA profile over simulated time, with the real
// CA and ACME client. The numbers are what the rules imply, worked out by hand below.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulateRenewals } from '../src/simulate/renewals.ts';
import { needPeer, runCli, runCliHere, scratchDir, sh } from './helpers.ts';

const MONDAY = new Date('2027-01-04T00:00:00Z');

t.test("document 003's Monday rule lets a 160-hour certificate lapse for 8 hours every week", async (t) => {
  const r = await simulateRenewals({ policy: 'doc-003', profile: 'shortlived', from: MONDAY, days: 28, seed: 1 });
  // Issued Monday 00:00, valid 160 h: it ends Sunday 16:00; the next look is Monday 00:00.
  t.strictSame([...new Set(r.validityHours)], [160]);
  t.equal(r.renewals, 3, 'renewed on each of the three Mondays after the first');
  t.equal(r.lapses.length, 4);
  for (const l of r.lapses) {
    t.match(l.from, /T15:59:59\.000Z$/, 'from Sunday 16:00, less the second the CA backdates notBefore by');
    t.match(l.to, /T00:00:00\.000Z$/, 'to Monday 00:00');
    t.equal(new Date(l.to).getUTCDay(), 1);
  }
  t.equal(r.expiredHours, 32);
  t.equal(r.minRemainingHours, 0);
});

t.test('certbot renews a 160-hour certificate with half its life left, ARI inside the window: neither lapses', async (t) => {
  const certbot = await simulateRenewals({ policy: 'certbot', profile: 'shortlived', from: MONDAY, days: 28, seed: 1 });
  t.equal(certbot.lapses.length, 0);
  t.ok(certbot.minRemainingHours >= 80 - 12, `looks twice a day and renews under 80 h: at least 68 h left (${certbot.minRemainingHours})`);
  const ari = await simulateRenewals({ policy: 'ari', profile: 'shortlived', from: MONDAY, days: 28, seed: 7 });
  t.equal(ari.lapses.length, 0);
  t.equal(ari.ariWindowsMissed, 0);
  t.ok(ari.renewals >= 4 && ari.renewals <= 8, `about one renewal every 107 hours (${ari.renewals})`);
  const again = await simulateRenewals({ policy: 'ari', profile: 'shortlived', from: MONDAY, days: 28, seed: 7 });
  t.strictSame(again.renewedAt, ari.renewedAt, 'the same seed renews at the same times');
});

t.test("a fixed 30-day threshold under shortlived renews at every look until Let's Encrypt's limits refuse it", async (t) => {
  // Looks every 12 h: 27 looks in 14 days after the first issuance, each one due (160 h is under 30 days).
  const unlimited = await simulateRenewals({ policy: 'fixed-30d', profile: 'shortlived', from: MONDAY, days: 14, seed: 1, rateLimits: 'none' });
  t.equal(unlimited.renewals, 27, 'without limits it renews at all 27 looks');
  t.equal(unlimited.rateLimited, 0);
  const limited = await simulateRenewals({ policy: 'fixed-30d', profile: 'shortlived', from: MONDAY, days: 14, seed: 1 });
  t.equal(limited.renewals + limited.rateLimited, 27, 'every look either renews or is refused');
  t.ok(limited.rateLimited > 0, `refused ${limited.rateLimited} times`);
  // 5 per exact set of names a week, one back every 33.6 hours: at most 5 + 336 / 33.6 = 15 certificates in 14 days.
  t.ok(limited.renewals + 1 <= 15, `${limited.renewals + 1} certificates in 14 days`);
  t.equal(limited.rateLimitedAt.length, limited.rateLimited);
  t.equal(limited.lapses.length, 0, 'refused, but the 160-hour certificate outlives the wait');
  const ari = await simulateRenewals({ policy: 'ari', profile: 'shortlived', from: MONDAY, days: 14, seed: 7 });
  t.equal(ari.rateLimited, 0, 'ARI renewals are exempt, and few');
});

t.test("classic follows Let's Encrypt's calendar: 90 days, then 64 from 2027-02-10", async (t) => {
  const r = await simulateRenewals({ policy: 'certbot', profile: 'classic', from: new Date('2027-01-01T00:00:00Z'), days: 120, seed: 1 });
  t.equal(r.validityHours[0], 90 * 24);
  t.ok(r.validityHours.slice(1).every((h) => h === 64 * 24), `renewals after 2027-02-10 are 64 days (${r.validityHours.join(', ')})`);
});

t.test('the command: exit 1 on a lapse, --json, --svg that parses; bad input is one line and exit 2', async (t) => {
  const dir = scratchDir(t);
  const svg = join(dir, 'doc003.svg');
  const r = await runCli(['simulate', '--policy', 'doc-003', '--profile', 'shortlived', '--from', '2027-01-04', '--days', '14', '--json', '--svg', svg]);
  t.equal(r.code, 1, r.stderr);
  const json = JSON.parse(r.stdout);
  for (const key of ['renewals', 'expiredHours', 'minRemainingHours', 'rateLimited', 'lapses']) t.ok(key in json, key);
  t.equal(json.rateLimited, 0, 'a weekly renewal meets no limit');
  t.equal(json.rateLimits, 'letsencrypt', "Let's Encrypt's limits unless --rate-limits none");
  t.match(readFileSync(svg, 'utf8'), /<rect class="lapse"/);
  if (needPeer(t, 'xmllint')) t.equal(sh(['xmllint', '--noout', svg]).code, 0, 'the SVG is well-formed XML');
  const ok = await runCliHere(['simulate', '--policy', 'certbot', '--profile', 'tlsserver', '--from', '2027-01-04', '--days', '60']);
  t.equal(ok.code, 0, ok.stdout);
  t.match(ok.stdout, /0 hours without a valid certificate/);
  for (const args of [['--policy', 'weekly', '--profile', 'shortlived'], ['--policy', 'ari', '--profile', 'longlived'], ['--policy', 'ari', '--profile', 'classic', '--days', '0'], ['--policy', 'ari', '--profile', 'classic', '--from', 'someday'], ['--policy', 'ari', '--profile', 'classic', '--rate-limits', 'some']]) {
    const bad = await runCliHere(['simulate', ...args]);
    t.equal(bad.code, 2, args.join(' '));
    t.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  }
  const unwritable = await runCliHere(['simulate', '--policy', 'ari', '--profile', 'classic', '--days', '30', '--svg', join(dir, 'no-such-dir', 'x.svg')]);
  t.equal(unwritable.code, 2, 'an SVG that cannot be written: exit 2 before simulating');
  t.match(unwritable.stderr, /^certharness: --svg .*x\.svg: cannot write there \(ENOENT\)\n$/);
});

t.test("the simulate step stops at its timeout: the cause is the timeout, not a crash, and the run ends", async (t) => {
  const dir = scratchDir(t);
  const file = join(dir, 'long.yaml');
  writeFileSync(file, 'scenario: ten years of a fixed threshold\nsteps:\n  - simulate: { policy: fixed-30d, profile: shortlived, days: 3660 }\n    expect: { lapsed: false }\n');
  const r = await runCliHere(['run', file, '--timeout', '1s', '--reporter', 'tap'], { env: { TMPDIR: dir } });
  t.equal(r.code, 1, 'the step fails');
  t.match(r.stdout, /ETIMEDOUT: step timed out after 1000ms/, 'because of the timeout');
  t.notMatch(r.stdout, /HARNESS_BUG/, 'not reported as a crash');
});
