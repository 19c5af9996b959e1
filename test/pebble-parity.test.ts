// Where a client could notice, certharness's ACME CA answers as the real Pebble does: the same
// scenario steps, one against each, expect the same problem.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { needPeer, runCli, scratchDir } from './helpers.ts';
import { pebbleService } from '../src/services/pebble/index.ts';
import { acmeService } from '../src/services/acme/index.ts';
import { goTimeString } from '../src/services/acme/management.ts';
import type { ServiceKind } from '../src/services/types.ts';
import { AcmeClient, AcmeError } from '../src/clients/acme/client.ts';
import { createTransport } from '../src/clients/acme/transport.ts';
import { issueCertificate } from '../src/clients/acme/issue.ts';
import { http01Standalone } from '../src/clients/acme/responders.ts';
import { generateKey } from '../src/pki/keys.ts';
import { x509 } from '../src/pki/crypto.ts';
import { Revocations } from '../src/pki/revocations.ts';

t.test('CSR names: the real Pebble and our acme service give the same problem type, status and words', async (t) => {
  if (!needPeer(t, 'pebble') || !needPeer(t, 'openssl')) return;
  const r = await runCli(['run', 'test/fixtures/scenarios/pebble-parity.yaml', '--reporter', 'tap']);
  t.equal(r.code, 0, r.stdout);
  t.match(r.stdout, /# tests 6: passed 6, failed 0/);
});

/** A CA service started the way a scenario starts it, with a client that has an account there. */
async function startCa(t: Test, kind: ServiceKind<Record<string, unknown>>, name: string) {
  const workDir = scratchDir(t, `certharness-parity-${name}-`);
  const ctx = { name, workDir, host: '127.0.0.1', signal: new AbortController().signal, env: process.env, log: () => {}, pki: {}, services: {}, scenarioDir: workDir, revocations: new Revocations(new Date()) };
  const running = await kind.start({}, ctx);
  t.teardown(running.stop);
  const props = running.props as Record<string, string & number>;
  const ca = readFileSync(props.caFile, 'utf8');
  const client = new AcmeClient({ directoryUrl: props.directoryUrl, accountKey: await generateKey('ec-p256'), ca });
  t.teardown(() => client.close());
  await client.newAccount({ termsOfServiceAgreed: true });
  const management = createTransport({ ca });
  t.teardown(() => management.close());
  return { props, client, management };
}

/** What a client sees from each: a second POST to a validated challenge, and the certificate's status before and after revocation. */
async function observe(t: Test, kind: ServiceKind<Record<string, unknown>>, name: string) {
  const { props, client, management } = await startCa(t, kind, name);
  const responder = await http01Standalone('127.0.0.1', props.httpPort);
  t.teardown(() => responder.close());
  const issued = await issueCertificate(client, { names: ['parity.example.org'], responder, certificateKey: await generateKey('ec-p256') });
  const challenge = (await client.authorization(issued.order.authorizations[0]!)).challenges.find((c) => c.type === 'http-01')!;
  const repost = await client.answerChallenge(challenge.url).then(
    () => ({ answered: 'the challenge' }),
    (e: AcmeError) => ({ status: e.status, type: e.type, detail: e.problem.detail }),
  );
  const leaf = new x509.X509Certificate(issued.certPem);
  const status = async () => JSON.parse((await management.request('GET', `${props.managementUrl}/cert-status-by-serial/${leaf.serialNumber}`)).body.toString()) as Record<string, unknown>;
  const valid = await status();
  await client.revoke(new Uint8Array(leaf.rawData), { reason: 1 });
  const revoked = await status();
  return { repost, valid, revoked };
}

t.test('a second POST to a valid challenge, and cert-status-by-serial: the same answers and field names from both', async (t) => {
  if (!needPeer(t, 'pebble')) return;
  const pebble = await observe(t, pebbleService as unknown as ServiceKind<Record<string, unknown>>, 'pebble');
  const ours = await observe(t, acmeService as unknown as ServiceKind<Record<string, unknown>>, 'ours');
  t.strictSame(pebble.repost, { status: 400, type: 'malformed', detail: 'Cannot update challenge with status valid, only status pending' }, 'what the real Pebble answers');
  t.strictSame(ours.repost, pebble.repost, 'ours answers the same');
  t.match(pebble.valid, { Status: 'Valid', Serial: String, Certificate: /^-----BEGIN CERTIFICATE-----/ });
  t.match(pebble.revoked, { Status: 'Revoked', Reason: 1, RevokedAt: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/ });
  for (const [which, fields] of [['valid', Object.keys(pebble.valid)], ['revoked', Object.keys(pebble.revoked)]] as const) {
    t.strictSame(fields.filter((f) => !(f in ours[which])), [], `every field Pebble gives for a ${which} certificate is there`);
  }
  t.match(ours.revoked, { Status: 'Revoked', Reason: 1, RevokedAt: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/ });
});

t.test("Go's time format, as Pebble prints RevokedAt", async (t) => {
  t.equal(goTimeString(new Date('2026-12-02T06:18:06.681Z')), '2026-12-02 06:18:06.681 +0000 UTC');
  t.equal(goTimeString(new Date('2026-12-02T06:18:06.680Z')), '2026-12-02 06:18:06.68 +0000 UTC', 'trailing zeros go');
  t.equal(goTimeString(new Date('2026-12-02T06:20:00.000Z')), '2026-12-02 06:20:00 +0000 UTC', 'and so does a zero fraction');
});
