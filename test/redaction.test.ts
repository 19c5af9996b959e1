// Private keys and passwords never appear in a report or a log: a failing step that prints a
// PEM private key and was given -passin pass:... is shown redacted by every reporter (TAP,
// JUnit, JSON, console) and in scenario.log, while its failure is still explained.
import t from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needPeer, runCli, scratchDir } from './helpers.ts';
import { redactText } from '../src/util/redact.ts';

const PASSWORD = 'hunter2-do-not-print';

t.test('redactText', async (t) => {
  t.equal(redactText('-----BEGIN PRIVATE KEY-----\nMIGHAgEA\n-----END PRIVATE KEY-----\n'), '-----BEGIN PRIVATE KEY----- [redacted by certharness] -----END PRIVATE KEY-----\n');
  t.equal(redactText('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF'), '-----BEGIN ENCRYPTED PRIVATE KEY----- [redacted by certharness] -----END ENCRYPTED PRIVATE KEY-----', 'a block cut short');
  t.equal(redactText('openssl pkcs12 -passin pass:s3cret -passout pass:x'), 'openssl pkcs12 -passin pass:[redacted] -passout pass:[redacted]');
  t.equal(redactText('curl --cert client.p12:pass --pass secret --key k.pem'), 'curl --cert client.p12:[redacted] --pass [redacted] --key k.pem');
  // A displayed command quotes a value with spaces or quotes: the quoted word goes whole.
  t.equal(redactText("openssl pkey -passin pass:'my secret' -passout 'pass:it'\\''s' -noout"), "openssl pkey -passin pass:[redacted] -passout 'pass:[redacted] -noout");
  t.equal(redactText('curl --pass "a \\"b\\" c" -k'), 'curl --pass [redacted] -k');
  t.equal(redactText('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'certificates are not secrets');
});

t.test('every reporter and scenario.log', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const tmp = scratchDir(t, 'certharness-redact-');
  const scenario = join(tmp, 'leak.yaml');
  writeFileSync(
    scenario,
    `scenario: a failing step that prints a key
pki:
  client: { subject: "CN=leaky", key: ec-p256, keyPassword: ${PASSWORD} }
steps:
  - name: decrypt the key, print it, and fail
    exec: "openssl pkey -in '{{client.keyFile}}' -passin pass:${PASSWORD}; echo 'then: -passin pass:${PASSWORD}' >&2; exit 1"
`,
  );
  const r = await runCli(['run', scenario, '--keep', '--reporter', 'console', '--reporter', `tap=${join(tmp, 'r.tap')}`, '--reporter', `junit=${join(tmp, 'r.xml')}`, '--reporter', `json=${join(tmp, 'r.json')}`, '--reporter', `html=${join(tmp, 'html')}`], { env: { TMPDIR: tmp } });
  t.equal(r.code, 1, 'the step fails');
  const workDir = readdirSync(tmp).find((d) => d.startsWith('certharness-') && d !== 'html')!;
  const outputs: [string, string][] = [
    ['console', r.stdout + r.stderr],
    ['tap', readFileSync(join(tmp, 'r.tap'), 'utf8')],
    ['junit', readFileSync(join(tmp, 'r.xml'), 'utf8')],
    ['json', readFileSync(join(tmp, 'r.json'), 'utf8')],
    ['html', readFileSync(join(tmp, 'html', 'index.html'), 'utf8')],
    ['scenario.log', readFileSync(join(tmp, workDir, 'scenario.log'), 'utf8')],
  ];
  for (const [name, text] of outputs) {
    t.notMatch(text, /BEGIN PRIVATE KEY-----\s*\\?n?MI/, `${name}: no private key body`);
    t.notMatch(text, PASSWORD, `${name}: no password`);
  }
  for (const [name, text] of outputs.slice(2, 4)) t.match(text, /redacted by certharness/, `${name}: says what it removed`);
  t.match(outputs[3]![1], /"exit": 1/, 'json: the failure is still explained');
});
