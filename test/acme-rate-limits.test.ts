// Rate limits of the ACME CA: token buckets on the CA's clock, rateLimited (429) with
// Retry-After, the registered domain from the Public Suffix List, and ARI renewals exempt.
import t from 'tap';
import { RateLimiter, registeredDomain, identifierSetKey } from '../src/services/acme/rate-limits.ts';
import { LETS_ENCRYPT_RATE_LIMITS } from '../src/services/acme/rate-limit-table.ts';
import { startAcmeServer, type RunningAcmeServer } from '../src/services/acme/server.ts';
import { defaultAcmeOptions } from '../src/services/acme/config.ts';
import { AcmeClient, AcmeError } from '../src/clients/acme/client.ts';
import { issueCertificate } from '../src/clients/acme/issue.ts';
import { certIdOfPem } from '../src/clients/acme/cert-id.ts';
import { generateKey } from '../src/pki/keys.ts';
import type { RateLimits } from '../src/services/acme/rate-limit-table.ts';
import type { Authorization } from '../src/clients/acme/wire.ts';
import type { Test } from 'tap';

const HOUR = 3_600_000;

t.test('a bucket holds count requests and refills one every period / count, on the clock it is given', async (t) => {
  let now = new Date('2026-12-01T00:00:00Z');
  const limiter = new RateLimiter({ duplicateCertificates: { count: 2, periodSeconds: 24 * 3600 } }, () => now);
  t.equal(limiter.check('duplicateCertificates', 'a'), undefined);
  limiter.spend('duplicateCertificates', 'a');
  limiter.spend('duplicateCertificates', 'a');
  const refused = limiter.check('duplicateCertificates', 'a');
  t.equal(refused?.type, 'rateLimited');
  t.equal(refused?.status, 429);
  t.equal(refused?.headers['retry-after'], '43200', 'one request comes back after 24 h / 2');
  t.match(refused?.message, /too many certificates \(2\) already issued for this exact set of identifiers \(a\) in the last 1 day: retry after 2026-12-01T12:00:00Z/);
  t.equal(limiter.check('duplicateCertificates', 'b'), undefined, 'another key has its own bucket');
  t.equal(limiter.check('newOrdersPerAccount', 'a'), undefined, 'a limit not configured never refuses');
  now = new Date(now.getTime() + 6 * HOUR);
  t.equal(limiter.check('duplicateCertificates', 'a')?.headers['retry-after'], '21600', 'half refilled: six hours to go');
  now = new Date(now.getTime() - 48 * HOUR);
  t.ok(limiter.check('duplicateCertificates', 'a'), 'a clock set backwards refills nothing');
  now = new Date('2026-12-01T12:00:00Z');
  t.equal(limiter.check('duplicateCertificates', 'a'), undefined, 'refilled at 12:00');
});

t.test('the registered domain: the Public Suffix List, an IPv4 address, an IPv6 /64', async (t) => {
  t.equal(registeredDomain({ type: 'dns', value: 'www.example.com' }), 'example.com');
  t.equal(registeredDomain({ type: 'dns', value: 'new.blog.example.co.uk' }), 'example.co.uk');
  t.equal(registeredDomain({ type: 'dns', value: '*.shop.example.org' }), 'example.org');
  t.equal(registeredDomain({ type: 'ip', value: '192.0.2.7' }), '192.0.2.7');
  t.equal(registeredDomain({ type: 'ip', value: '2001:db8:0:0:1::1' }), '2001:db8::/64');
  t.equal(registeredDomain({ type: 'ip', value: '2001:db8::ffff' }), '2001:db8::/64', 'the same /64');
  t.equal(identifierSetKey([{ type: 'dns', value: 'B.example.org' }, { type: 'dns', value: 'a.example.org' }]), 'a.example.org,b.example.org', 'order and case do not make a new set');
  t.equal(LETS_ENCRYPT_RATE_LIMITS.duplicateCertificates.count, 5);
});

/** A CA on a clock the test moves, every challenge valid unless `validate` is set. */
async function ca(t: Test, rateLimits: RateLimits, o: { validate?: boolean } = {}) {
  const clock = { now: new Date() };
  const server: RunningAcmeServer = await startAcmeServer({ ...defaultAcmeOptions(), listenAddress: '127.0.0.1:0', managementListenAddress: '', crlListenAddress: '', vaAlwaysValid: !o.validate, httpPort: 1, certificateValidityPeriod: 90 * 86400, rateLimits, clock: () => clock.now });
  clock.now = new Date('2026-12-01T00:00:00Z');
  const client = new AcmeClient({ directoryUrl: server.directoryUrl, accountKey: await generateKey('ec-p256'), ca: server.tlsCaPem, pollMinMs: 10 });
  await client.newAccount({ termsOfServiceAgreed: true });
  t.teardown(async () => {
    await client.close();
    await server.stop();
  });
  const responder = { type: 'http-01' as const, hits: 0, present: async () => {}, cleanup: async () => {}, close: async () => {} };
  const issue = async (names: string[], replaces?: string) => issueCertificate(client, { names, responder, certificateKey: await generateKey('ec-p256'), ...(replaces ? { replaces } : {}) });
  return { clock, client, issue };
}

async function refusal(p: Promise<unknown>): Promise<AcmeError> {
  const e = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(e instanceof AcmeError)) throw new Error(`expected an ACME error, got ${e === undefined ? 'success' : String(e)}`);
  return e;
}

t.test('duplicate certificates: refused at newOrder with 429 and Retry-After, an ARI renewal is exempt', async (t) => {
  // Two a year: one comes back every 182.5 days, so the bucket is still empty inside the 90-day certificate's ARI window (days 50 to 70).
  const { clock, issue } = await ca(t, { duplicateCertificates: { count: 2, periodSeconds: 365 * 86400 } });
  const first = await issue(['dup.example.org']);
  await issue(['dup.example.org']);
  const e = await refusal(issue(['dup.example.org']));
  t.equal(e.type, 'rateLimited');
  t.equal(e.status, 429);
  t.equal(e.retryAfterSeconds, (365 * 86400) / 2);
  t.match(e.problem.detail, /exact set of identifiers \(dup\.example\.org\) in the last 365 days: retry after 2027-06-01T12:00:00Z \(rate limit duplicateCertificates\)/);
  await issue(['other.example.org']);
  t.pass('another set of names is not limited');
  t.equal((await refusal(issue(['dup.example.org'], certIdOfPem(first.certPem)))).type, 'rateLimited', 'replaces before the window has begun is not exempt');
  clock.now = new Date('2027-01-25T00:00:00Z');
  t.equal((await refusal(issue(['dup.example.org']))).type, 'rateLimited', 'day 55: still limited without replaces');
  t.ok(await issue(['dup.example.org'], certIdOfPem(first.certPem)), 'day 55, inside the window: the ARI renewal is issued');
  t.equal((await refusal(issue(['dup.example.org'], certIdOfPem(first.certPem)))).type, 'alreadyReplaced', 'a second replacement of it is alreadyReplaced, not a rate limit');
});

t.test('new orders per account and certificates per registered domain', async (t) => {
  const { clock, issue } = await ca(t, { newOrdersPerAccount: { count: 2, periodSeconds: 3600 }, certificatesPerDomain: { count: 5, periodSeconds: 7 * 86400 } });
  await issue(['a.example.org']);
  await issue(['b.example.org']);
  const e = await refusal(issue(['c.example.org']));
  t.equal(e.retryAfterSeconds, 1800);
  t.match(e.problem.detail, /too many new orders \(2\) from this account in the last 1 hour/);
  clock.now = new Date(clock.now.getTime() + HOUR);
  await issue(['c.example.org']);
  await issue(['d.example.org']);
  clock.now = new Date(clock.now.getTime() + HOUR);
  await issue(['e.example.org']);
  const domain = await refusal(issue(['f.example.org']));
  t.match(domain.problem.detail, /too many certificates \(5\) already issued for the registered domain "example\.org"/);
  t.equal(domain.retryAfterSeconds, (7 * 86400) / 5 - 2 * 3600, 'one certificate every 33.6 hours, two of them already refilled');
  await issue(['f.example.net']);
  t.pass('another registered domain has its own bucket');
});

t.test('failed validations per name and account: a failure is spent when it happens', async (t) => {
  const { client } = await ca(t, { failedValidations: { count: 1, periodSeconds: 3600 } }, { validate: true });
  const { order } = await client.newOrder([{ type: 'dns', value: 'fails.example.org' }]);
  const authz = await client.authorization(order.authorizations[0]!);
  await client.answerChallenge(authz.challenges.find((c) => c.type === 'http-01')!.url);
  t.equal((await client.poll<Authorization>(order.authorizations[0]!, (a) => a.status !== 'pending')).status, 'invalid');
  const e = await refusal(client.newOrder([{ type: 'dns', value: 'fails.example.org' }]));
  t.equal(e.type, 'rateLimited');
  t.match(e.problem.detail, /too many failed authorizations \(1\) for "fails\.example\.org" from this account/);
  t.ok(await client.newOrder([{ type: 'dns', value: 'works.example.org' }]), 'another name is not limited');
});
